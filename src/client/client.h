#pragma once
// `ttycall client`: joins a call, sends a camera, draws what the server composes.
//
// The client is the connection's life (connect with retry and backoff, the handshake,
// trust in the server's key) and the dispatch of what arrives; its jobs are done by parts
// of their own: the transport (net::Connection), the camera's way up (CameraUplink), the
// voice's pace (VoicePacer), the keys and their meaning (CallInput, CallControls) and the
// screen (CallView). Everything runs on the io_context the caller owns and runs, on one
// thread at a time (several clients may share it: the demo's guests, the load generator).
// The receive path decodes each picture (VideoReceiver), renders it as text in the
// viewer's own render and colour mode, writing only the cells that changed
// (media::FrameRenderer), and writes each frame to the terminal in one write. A headless
// client renders too, only to count what it would write. Buffers grow only when a larger
// view first arrives.
#include <array>
#include <asio.hpp>
#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "client/audio_feed.h"
#include "client/call_controls.h"
#include "client/call_input.h"
#include "client/call_observer.h"
#include "client/call_view.h"
#include "client/camera_uplink.h"
#include "client/chat_input.h"
#include "client/chat_log.h"
#include "client/chat_panel.h"
#include "client/chat_seen.h"
#include "client/client_options.h"
#include "client/client_stats.h"
#include "client/host_list.h"
#include "client/video_receiver.h"
#include "client/voice.h"
#include "client/voice_pacer.h"
#include "core/clock.h"
#include "core/status.h"
#include "media/frame_renderer.h"
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
  // Starting and ending.
  bool start();  // false if the options cannot work (exit_code_ and exit_message_ say why)
  bool refuse(std::string message);  // exit code 2 and why; returns false
  bool load_identity();
  bool open_voice(std::shared_ptr<AudioFeed> file_sound);
  void set_up_screen();
  void fail(std::string message);
  void fail(const core::Status& status);
  void halt();      // cancels everything this client has pending, then end_call()
  void end_call();  // once: finish(), then the observer hears of the end
  void finish();    // the terminal restored, the reason printed, the output files written

  // The connection's life: connect with retry and backoff, the handshake.
  void connect();
  void on_connect_failed(const asio::error_code& ec);
  void on_connected();
  void on_disconnected(std::string_view why);
  void schedule_reconnect();
  void handle_key_welcome(std::span<const uint8_t> payload);
  const net::PasswordKey* password_for(const net::KeyWelcome& welcome);
  void send_hello();
  void start_call_traffic();
  void schedule_ping();

  // net::Connection::Owner: what arrives.
  bool accept_header(const net::Header& header) override;
  std::span<uint8_t> video_payload_buffer(const net::Header& header) override;
  void on_packet(const net::Header& header, std::span<const uint8_t> payload) override;
  void on_read_failed(net::ReadFailure failure, std::string_view detail) override;
  void on_write_failed(std::string_view why) override { on_disconnected(why); }
  void handle_welcome(std::span<const uint8_t> payload);
  void handle_participants(std::span<const uint8_t> payload);
  void note_own_name(const net::Name& name);  // our entry in the list: the name we have
  void handle_video(std::span<const uint8_t> payload);
  // The load generator's clients that check and count what arrives but neither decode nor
  // draw it (pictures and voice alike).
  bool receive_only() const { return options_.headless && options_.receive_only; }
  void handle_bye(std::span<const uint8_t> payload);
  // A cluster: the node that hosts our room (Redirect), the cluster's other nodes.
  void handle_redirect(std::span<const uint8_t> payload);
  void handle_cluster_nodes(std::span<const uint8_t> payload);
  // Makes the host list's current entry the one connect() uses.
  void use_current_host();
  void handle_pong(std::span<const uint8_t> payload);
  void handle_chat_message(std::span<const uint8_t> payload);
  void handle_chat_refused(std::span<const uint8_t> payload);
  void send_chat(std::string_view text);
  void note_own_latency(const net::VideoDownHeader& down);

  // What goes out.
  template <class Msg>
  void send_message(net::MsgType type, const Msg& msg,
                    net::Sealing sealing = net::Sealing::kSealed);
  void send_audio(std::span<const uint8_t> packet);
  // Size, modes and layout to the server (Resize), at most one every kViewInterval: the
  // server closes a connection that changes its view more than 10 times a second, and a
  // window being dragged changes size far faster. What waits goes when the interval ends.
  void send_view();
  void send_media_state();  // camera on or off (MediaState)

  // The person at the terminal.
  void on_key(uint8_t key);
  void on_chat_key(uint8_t key);  // while the chat input is open
  // The tile labels, with the chat panel over them when it shows.
  std::span<const media::OverlayCell> overlay_with_chat();
  void apply_terminal_size();
  void show_status(std::string_view text);
  // Renders the last picture in the current modes and draws it (full: every cell); returns
  // the bytes it wrote (or, headless, would write) to the terminal.
  size_t draw_picture(bool full);
  void save_last_frame();
  int picture_rows() const { return view_ ? view_->picture_rows() : rows_; }
  ScreenState screen_state();
  void draw_chrome();  // the status line (and stats box) without waiting for a frame

  ClientOptions options_;
  asio::io_context& io_;
  asio::ip::tcp::resolver resolver_;
  net::Connection connection_;
  asio::steady_timer retry_timer_;
  asio::steady_timer ping_timer_;
  asio::steady_timer duration_timer_;
  asio::steady_timer view_timer_;  // a view change waiting for its interval
  std::unique_ptr<Voice> voice_;
  VoicePacer voice_pacer_;
  CameraUplink camera_;
  CallInput input_;
  std::unique_ptr<CallView> view_;  // none when headless

  // Encryption: our identity, the key exchange of the current connection.
  std::optional<net::Identity> identity_;
  std::unique_ptr<net::ClientKeyExchange> key_exchange_;
  std::optional<net::PasswordKey> password_key_;  // derived once per server salt
  std::array<uint8_t, net::kSaltBytes> password_salt_{};
  std::optional<net::PasswordKey> room_password_key_;  // the same, for --room-password
  std::array<uint8_t, net::kSaltBytes> room_password_salt_{};

  // Where to connect: --host's list, and the nodes a cluster named.
  HostList hosts_;
  int redirects_in_a_row_ = 0;  // since the last Welcome: a loop between nodes is an error

  // Connection state.
  bool connected_ = false;
  bool stopping_ = false;
  bool ever_connected_ = false;
  core::SteadyClock::time_point trying_since_{};
  double backoff_ = 0.25;
  int attempts_ = 0;
  uint32_t my_id_ = 0;
  net::Name own_name_;  // as the server made it unique in the room
  int cols_ = 80;
  int rows_ = 24;
  core::SteadyClock::time_point view_sent_{};  // the last Resize
  bool view_waiting_ = false;                  // view_timer_ is set

  // Receiving video.
  std::vector<uint8_t> video_payload_;  // grows when a larger frame first arrives
  VideoReceiver video_;
  media::FrameRenderer renderer_;
  core::SteadyClock::time_point last_full_draw_{};

  // What the user chose with keys in the call, and who is in it.
  CallControls controls_;
  net::Participants participants_{};
  bool pin_applied_ = false;  // options_.pin was found in the participant list

  // Chat: the record (--chat-log), what the panel shows, and --say sent once.
  ChatLog chat_log_;
  ChatPanel chat_;
  ChatInput chat_input_;
  ChatSeen chat_seen_;  // so that a reconnect's history is not shown twice
  std::vector<media::OverlayCell> chat_overlay_;  // labels + panel; grows with the view
  bool said_ = false;

  ClientStats stats_;
  RecentRates rates_;  // for the stats box
  CallObserver* observer_ = nullptr;
  bool ended_ = false;
  int exit_code_ = 0;
  std::string exit_message_;
};

// Runs one call on an io_context of its own until quit, --duration or a fatal error
// (`ttycall client`, and you in `ttycall demo`). Returns the exit code.
int run_call(ClientOptions options);

}  // namespace ttycall::client
