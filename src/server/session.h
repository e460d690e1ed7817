#pragma once
// One connected client: reads its packets, keeps its latest camera frame, and writes the
// frames and messages meant for it.
//
// Threading: a session lives on one io_context that a single thread runs, so its socket
// and read state need no lock (and Asio's per-thread handler caches stay balanced). Other threads
// (the compositor, the room) reach it only through offer_video() and send_control(), which fill a
// one-slot video mailbox (newest frame wins: a slow client skips frames, it never queues them) and
// a small bounded control queue under a mutex, then wake the writer. Memory per session is
// therefore fixed.
#include <array>
#include <asio.hpp>
#include <atomic>
#include <cstdint>
#include <memory>
#include <mutex>
#include <span>
#include <string_view>
#include <vector>

#include "core/buffer_pool.h"
#include "core/fixed_ring.h"
#include "core/handler_memory.h"
#include "media/audio/audio_format.h"
#include "media/audio/opus_codec.h"
#include "media/jpeg_codec.h"
#include "media/render_options.h"
#include "net/connection.h"
#include "net/key_exchange.h"
#include "net/protocol.h"

namespace ttycall::server {

class Room;
struct ServerContext;

// What a viewer wants to see. The size and modes are packed in 64 bits and the layout in
// another 64, so each half can be read atomically (a tick that sees one half new and the
// other old draws one frame of a mixed view, then the next tick is right).
struct ViewKey {
  uint16_t cols = 0;
  uint16_t rows = 0;
  media::RenderMode mode = media::RenderMode::kHalf;
  media::ColorMode color = media::ColorMode::kTrueColor;
  net::ViewLayout layout = net::ViewLayout::kGrid;
  uint32_t pinned_id = 0;  // with kFocus: the large tile; 0 = the latest speaker

  uint64_t packed() const {
    return uint64_t(cols) | uint64_t(rows) << 16 | uint64_t(mode) << 32 | uint64_t(color) << 40;
  }
  uint64_t packed_layout() const { return uint64_t(layout) | uint64_t(pinned_id) << 8; }
  static ViewKey unpack(uint64_t v, uint64_t layout = 0) {
    return {uint16_t(v),
            uint16_t(v >> 16),
            media::RenderMode(uint8_t(v >> 32)),
            media::ColorMode(uint8_t(v >> 40)),
            net::ViewLayout(uint8_t(layout)),
            uint32_t(layout >> 8)};
  }
  bool operator==(const ViewKey&) const = default;
};

// A decoded camera frame. The pixels are a pooled buffer shared by reference.
struct VideoFrame {
  core::PooledBuffer pixels;  // RGB24, width * 3 stride
  uint16_t width = 0;
  uint16_t height = 0;
  uint64_t capture_us = 0;
};

using SessionSocket = net::Socket;
using SessionTimer = net::Timer;

class Session : public std::enable_shared_from_this<Session>, private net::Connection::Owner {
 public:
  Session(SessionSocket socket, ServerContext& context, Room& room);
  ~Session();
  Session(const Session&) = delete;
  Session& operator=(const Session&) = delete;

  // Starts reading; false (and the socket closed) when the client's address already has
  // its maximum of connections.
  bool start();
  // Closes the connection (from any thread). With a Bye, it is sent first if possible.
  void close(std::string_view reason);
  void close_with_bye(net::ByeReason reason, std::string_view text);

  // Called by the Room when it admits this session: sets the id and queues Welcome.
  void admit(uint32_t id);

  uint32_t id() const { return id_; }
  const net::Name& name() const { return name_; }
  bool joined() const { return joined_.load(std::memory_order_acquire); }
  ViewKey view() const {
    return ViewKey::unpack(view_.load(std::memory_order_acquire),
                           view_layout_.load(std::memory_order_acquire));
  }
  // The participant switched the camera off (MediaState): show the name only.
  bool video_off() const { return video_off_.load(std::memory_order_acquire); }

  // The newest decoded camera frame (empty pixels if none yet) and a counter that changes
  // whenever a new one arrives.
  VideoFrame latest_video() const;
  uint64_t video_version() const { return video_version_.load(std::memory_order_acquire); }

  // Whether this participant is talking now (set by the mixer, shown by the compositor).
  bool speaking() const { return speaking_.load(std::memory_order_acquire); }
  void set_speaking(bool on) { speaking_.store(on, std::memory_order_release); }

  // Audio. The Room gives each participant a mixer slot for as long as it is in the call.
  int audio_slot() const { return audio_slot_.load(std::memory_order_acquire); }
  void set_audio_slot(int slot) { audio_slot_.store(slot, std::memory_order_release); }
  bool muted() const { return muted_.load(std::memory_order_acquire); }
  // Takes the oldest decoded 20 ms frame this participant sent (mixer thread); false when
  // none is waiting (not talking, muted, or the network is late).
  bool pop_audio(std::span<float> out, uint64_t& capture_us);

  // Delivery from other threads.
  void offer_video(const core::PooledBuffer& packet);
  bool send_control(std::span<const uint8_t> packet);
  bool send_audio(std::span<const uint8_t> packet);

  // State owned by the compositor (only its tick touches these).
  uint64_t compositor_delivered_frame = 0;
  uint16_t compositor_requested_width = 0;
  uint16_t compositor_requested_height = 0;

 private:
  // Incoming audio, decoded: at most this many frames wait for the mixer (bounds the delay).
  static constexpr size_t kAudioInFrames = 4;
  struct DecodedAudio {
    std::array<float, media::audio::kFrameSamples> samples{};
    uint64_t capture_us = 0;
  };

  template <class F>
  auto bound(F&& handler) {
    return asio::bind_allocator(core::HandlerAllocator<int>(handler_memory_),
                                std::forward<F>(handler));
  }

  // net::Connection::Owner
  bool accept_header(const net::Header& header) override;
  std::span<uint8_t> video_payload_buffer(const net::Header& header) override;
  void on_packet(const net::Header& header, std::span<const uint8_t> payload) override;
  void on_read_failed(net::ReadFailure failure, std::string_view detail) override;
  void on_write_failed(std::string_view why) override { shutdown_socket(why); }
  void on_flushed() override { shutdown_socket("closed after final message"); }
  void on_video_written() override;
  std::shared_ptr<void> keep_alive() override { return shared_from_this(); }

  bool client_may_send(net::MsgType type);
  bool handshake_allows(net::MsgType type);
  void handle_key_hello(std::span<const uint8_t> payload);
  void handle_auth(std::span<const uint8_t> payload);
  void handle_hello(std::span<const uint8_t> payload);
  ViewKey clamp_view(ViewKey key) const;  // to the server's --max-size
  void handle_resize(std::span<const uint8_t> payload);
  void handle_media_state(std::span<const uint8_t> payload);
  void handle_video(std::span<const uint8_t> payload);
  void handle_audio(std::span<const uint8_t> payload);
  void queue_decoded_audio(uint64_t capture_us);
  void protocol_error(std::string_view what);
  void refuse_other_version();  // Bye(kVersionMismatch), then close

  void shutdown_socket(std::string_view reason);
  void schedule_watchdog();

  ServerContext& context_;
  Room& room_;
  net::Connection connection_;
  core::HandlerMemory handler_memory_;  // the watchdog's and close()'s handlers
  SessionTimer watchdog_timer_;         // handshake deadline, idle clients, stuck writes
  std::array<uint8_t, 16> remote_address_{};
  bool counted_connection_ = false;
  std::chrono::steady_clock::time_point started_{};
  std::chrono::steady_clock::time_point last_packet_{};

  // The handshake and encryption (this session's io thread only).
  enum class Phase : uint8_t { kKeyExchange, kAuth, kHello, kJoined };
  Phase phase_;
  net::ServerKeyExchange key_exchange_;
  net::PublicKey client_key_;

  // Read side (this session's io thread only).
  core::PooledBuffer video_payload_;  // from the receive pool, for VideoUp
  media::JpegDecoder jpeg_;
  net::Name name_;
  uint32_t id_ = 0;
  std::atomic<bool> joined_{false};
  std::atomic<uint64_t> view_{0};
  std::atomic<uint64_t> view_layout_{0};
  std::atomic<bool> video_off_{false};

  // Latest camera frame.
  mutable std::mutex video_mutex_;
  VideoFrame latest_;
  std::atomic<uint64_t> video_version_{0};
  std::atomic<bool> speaking_{false};

  // Incoming audio: decoded on this session's io thread, taken by the mixer.
  media::audio::OpusDecoder opus_;
  std::array<float, media::audio::kFrameSamples> decoded_audio_{};
  std::mutex audio_in_mutex_;
  core::FixedRing<DecodedAudio, kAudioInFrames> audio_in_;
  int audio_backlog_ticks_ = 0;  // consecutive ticks with more than one frame waiting
  static constexpr int kAudioBacklogTicks = 25;
  uint32_t last_audio_seq_ = 0;
  bool have_audio_seq_ = false;
  std::atomic<int> audio_slot_{-1};
  std::atomic<bool> muted_{false};

  std::atomic<bool> closed_{false};
};

}  // namespace ttycall::server
