#pragma once
// `ttycall client`: joins a call, sends a camera, draws what the server composes.
//
// Everything runs on one io thread (the caller of run()): connect with retry, the
// handshake, the read loop, camera capture paced at the rate the server asks for, pings,
// keys and terminal resizes. The receive path decompresses into a buffer that only grows
// when a larger frame first arrives, and writes each frame to the terminal in one write.
#include <array>
#include <asio.hpp>
#include <atomic>
#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <vector>

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
  // With `shared_io`, the client runs on an io_context that the caller runs (many clients
  // on one thread: the load generator); otherwise it owns one and run() drives it.
  explicit Client(ClientOptions options, asio::io_context* shared_io = nullptr);
  ~Client();
  Client(const Client&) = delete;
  Client& operator=(const Client&) = delete;

  // Runs the call until quit, --duration, or a fatal error. Returns the exit code
  // (0 = normal end); the reason for a failure has been printed unless options.quiet.
  int run();
  // For a shared io_context: start() sets everything in motion (false if the options are
  // invalid), the caller runs the io_context, and finish() writes the outputs at the end.
  bool start();
  int finish();
  // Ends the call from any thread.
  void stop();
  bool done() const { return done_.load(std::memory_order_acquire); }

  const ClientStats& stats() const { return stats_; }
  // Starts the figures afresh (a measuring window). Call on the client's io thread.
  void reset_stats() { stats_ = ClientStats{}; }
  uint32_t participant_id() const { return my_id_; }

 private:
  void connect();
  void on_connect_failed(const asio::error_code& ec);
  void on_connected();
  void on_disconnected(std::string_view why);
  void schedule_reconnect();
  void fail(std::string message);
  void halt();  // cancels everything this client has pending

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
  std::unique_ptr<asio::io_context> owned_io_;
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
  std::atomic<bool> done_{false};
  int exit_code_ = 0;
  std::string exit_message_;
};

}  // namespace ttycall::client
