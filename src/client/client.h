#pragma once
// `ttycall client`: joins a call, sends a camera, draws what the server composes.
//
// Everything runs on the io_context the caller owns and runs, on one thread at a time
// (several clients may share it: the demo's guests, the load generator): connect with
// retry, the handshake, the read loop, camera capture paced at the rate the server asks
// for, pings, keys and terminal resizes. The receive path decompresses into a buffer that
// only grows when a larger frame first arrives, and writes each frame to the terminal in
// one write.
#include <array>
#include <asio.hpp>
#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "client/audio_feed.h"
#include "client/call_observer.h"
#include "client/call_screen.h"
#include "client/client_options.h"
#include "client/client_stats.h"
#include "client/terminal.h"
#include "client/video_source.h"
#include "client/voice.h"
#include "core/buffer_pool.h"
#include "core/clock.h"
#include "media/jpeg_codec.h"
#include "media/zstd_codec.h"
#include "net/connection.h"
#include "net/key_exchange.h"
#include "net/keys.h"
#include "net/protocol.h"

namespace ttycall::client {

class Client : private net::Connection::Owner {
 public:
  // Joins the call on `io`: connecting, timers and keys are set in motion at once, and
  // happen as the caller runs `io`. Options that cannot work (a bad video source, an
  // unreadable key file) end the call here already, with exit code 2. `observer`, if
  // given, hears of frames, bytes and the end, and must outlive the client.
  Client(asio::io_context& io, ClientOptions options, CallObserver* observer = nullptr);
  ~Client();
  Client(const Client&) = delete;
  Client& operator=(const Client&) = delete;

  // Ends the call from any thread (quit, --duration and fatal errors end it by themselves).
  // At its end the client restores the terminal, prints the reason for a failure unless
  // options.quiet, writes --save-last-frame and --stats-json, and leaves nothing pending on
  // `io`.
  void stop();
  // Once the call has ended: 0 = normal end.
  int exit_code() const { return exit_code_; }

 private:
  void connect();
  void on_connect_failed(const asio::error_code& ec);
  void on_connected();
  void on_disconnected(std::string_view why);
  void schedule_reconnect();
  bool start();  // false if the options cannot work (exit_code_ and exit_message_ say why)
  bool refuse(std::string message);  // exit code 2 and why; returns false
  bool load_identity();
  bool open_voice(std::shared_ptr<AudioFeed> file_sound);
  void fail(std::string message);
  void halt();      // cancels everything this client has pending, then end_call()
  void end_call();  // once: finish(), then the observer hears of the end
  void finish();    // the terminal restored, the reason printed, the output files written

  // net::Connection::Owner
  bool accept_header(const net::Header& header) override;
  std::span<uint8_t> video_payload_buffer(const net::Header& header) override;
  void on_packet(const net::Header& header, std::span<const uint8_t> payload) override;
  void on_read_failed(net::ReadFailure failure, std::string_view detail) override;
  void on_write_failed(std::string_view why) override { on_disconnected(why); }

  void handle_key_welcome(std::span<const uint8_t> payload);
  bool server_key_trusted(const net::PublicKey& key);
  void send_hello();
  void start_call_traffic();
  void handle_video(std::span<const uint8_t> payload);

  template <class Msg>
  void send_message(net::MsgType type, const Msg& msg,
                    net::Sealing sealing = net::Sealing::kSealed);

  void schedule_capture();
  void capture_and_send();
  void schedule_ping();
  void schedule_audio();
  void send_audio(std::span<const uint8_t> packet);
  void watch_signals();
  void read_keys();
  void on_key(uint8_t key);
  void apply_terminal_size();
  void show_status(std::string_view text);
  // The call screen: what the server renders for us, and what we draw around it.
  int picture_rows() const { return terminal_ ? screen_.picture_rows() : rows_; }
  void send_view();         // size, modes and layout to the server (Resize)
  void send_media_state();  // camera on or off (MediaState)
  void cycle_focus();
  ScreenState screen_state() const;
  void draw_chrome();  // the status line (and stats box) without waiting for a frame
  void update_rates(core::SteadyClock::time_point now);

  ClientOptions options_;
  asio::io_context& io_;
  asio::ip::tcp::resolver resolver_;
  net::Connection connection_;
  asio::steady_timer retry_timer_;
  asio::steady_timer capture_timer_;
  asio::steady_timer ping_timer_;
  asio::steady_timer duration_timer_;
  asio::steady_timer audio_timer_;
  core::SteadyClock::time_point next_audio_{};
  std::unique_ptr<Voice> voice_;
  asio::signal_set signals_;
  std::optional<asio::posix::stream_descriptor> keyboard_;
  std::array<uint8_t, 64> key_bytes_{};
  std::unique_ptr<TerminalGuard> terminal_;

  // Encryption: our identity, the key exchange of the current connection, its channel.
  std::optional<net::Identity> identity_;
  std::unique_ptr<net::ClientKeyExchange> key_exchange_;
  std::optional<net::PasswordKey> password_key_;  // derived once per server salt
  std::array<uint8_t, net::kSaltBytes> password_salt_{};

  std::unique_ptr<VideoSource> source_;
  media::JpegEncoder jpeg_;
  media::FrameDecompressor zstd_;

  // Connection state.
  bool connected_ = false;
  bool stopping_ = false;
  bool ever_connected_ = false;
  core::SteadyClock::time_point trying_since_{};
  double backoff_ = 0.25;
  int attempts_ = 0;
  uint32_t my_id_ = 0;
  int cols_ = 80;
  int rows_ = 24;

  std::vector<uint8_t> video_payload_;  // grows when a larger frame first arrives
  std::vector<uint8_t> frame_;
  size_t frame_size_ = 0;
  // Camera packets on their way out: one waiting, one being sealed or written.
  core::BufferPool camera_packets_{
      "client.camera",
      net::kHeaderSize + net::kVideoUpHeaderSize +
          media::JpegEncoder::max_size(net::kMaxVideoWidth, net::kMaxVideoHeight),
      0, 2};

  // Camera.
  net::VideoRequest request_{};
  std::vector<uint8_t> capture_pixels_;
  uint32_t capture_seq_ = 0;
  core::SteadyClock::time_point capture_start_{};
  core::SteadyClock::time_point next_capture_{};

  // What the user chose with keys in the call.
  CallScreen screen_;
  bool video_off_ = false;
  bool show_stats_ = false;
  net::ViewLayout layout_ = net::ViewLayout::kGrid;
  uint32_t pinned_id_ = 0;
  bool pin_applied_ = false;  // options_.pin was found in the participant list
  // Figures of the last second for the stats box.
  core::SteadyClock::time_point rate_start_{};
  uint64_t rate_frames_ = 0;
  uint64_t rate_bytes_ = 0;
  double fps_now_ = 0;
  double kbit_now_ = 0;

  ClientStats stats_;
  CallObserver* observer_ = nullptr;
  bool ended_ = false;
  int exit_code_ = 0;
  std::string exit_message_;
};

// Runs one call on an io_context of its own until quit, --duration or a fatal error
// (`ttycall client`, and you in `ttycall demo`). Returns the exit code.
int run_call(ClientOptions options);

}  // namespace ttycall::client
