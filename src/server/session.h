#pragma once
// One connected client: its socket (a net::Connection), the watchdog that ends a silent or
// stuck connection, the handshake, and the dispatch of each packet to where it belongs.
// What the rest of the server reads of the person behind it is the Participant (name,
// view, latest camera frame, voice, flags); media are decoded by the UplinkDecoder.
//
// Threading: a session lives on one io_context that a single thread runs, so its socket
// and read state need no lock (and Asio's per-thread handler caches stay balanced). Other
// threads (the compositor, the mixer, the room) reach it only through its Outbox, which
// queues into the connection's bounded queues and wakes the writer. Memory per session is
// therefore fixed. Before it joins, a session holds no more than its handshake needs: the
// large receive buffer and the media decoders come with the join.
#include <array>
#include <asio.hpp>
#include <atomic>
#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string_view>

#include "core/buffer_pool.h"
#include "core/handler_memory.h"
#include "core/rate_limiter.h"
#include "net/connection.h"
#include "net/protocol.h"
#include "net/server_handshake.h"
#include "server/address_group.h"
#include "server/cluster/cluster_node.h"
#include "server/participant.h"
#include "server/refusal_log.h"
#include "server/uplink_decoder.h"

namespace ttycall::server {

class Room;
class RoomDirectory;
struct ServerContext;

using SessionSocket = net::Socket;
using SessionTimer = net::Timer;

class Session : public std::enable_shared_from_this<Session>,
                public Outbox,
                private net::Connection::Owner {
 public:
  // `group` was admitted (Admission::admit) for this connection; the session releases it.
  Session(SessionSocket socket, ServerContext& context, RoomDirectory& rooms,
          const AddressGroup& group);
  ~Session();
  Session(const Session&) = delete;
  Session& operator=(const Session&) = delete;

  // Starts reading and the watchdog.
  void start();
  // Closes the connection (from any thread). With a Bye, it is sent first if possible.
  void close(std::string_view reason);

  // Outbox: delivery from any thread.
  bool send_control(std::span<const uint8_t> packet) override;
  bool send_audio(std::span<const uint8_t> packet) override;
  void offer_video(const core::PooledBuffer& packet) override;
  void close_with_bye(net::ByeReason reason, std::string_view text) override;

 private:
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

  // Counts `why` for the aggregated log and closes with its Bye.
  void refuse(Refusal why);
  // Before a key exchange or a password check: false (and refused) when over a limit.
  bool admitted(Refusal verdict);
  // Counts a password the client proved or got wrong against its address.
  void note_password(net::HandshakeStep::Password outcome);
  void act_on(const net::HandshakeStep& step);
  void join(const net::Hello& hello);
  // After the checks: into the room here (made if new), with its Welcome.
  void join_here(const net::Hello& hello, const net::Name& room);
  // Clustered (--cluster): asks the cluster thread where the room is; the answer comes
  // back on this session's thread (placed()).
  void place_in_cluster(const net::Hello& hello, const net::Name& room);
  void placed(const net::Hello& hello, const net::Name& room, const cluster::Placement& where);
  void redirect(const net::NodeAddress& node, const net::Name& who, const net::Name& room);
  void send_cluster_nodes();
  void send_cluster_rooms(const net::ClusterRoomList& list);
  // Refuses a name that is not safe text (core/safe_text.h) with Bye(kBadName); true if fine.
  bool refuse_bad_name(const net::Name& name);
  void list_rooms();
  ViewKey clamp_view(ViewKey key) const;  // to the server's --max-size
  void handle_resize(std::span<const uint8_t> payload);
  void handle_media_state(std::span<const uint8_t> payload);
  // Chat: a message to the room, checked and rate-limited; a refusal keeps the connection.
  void handle_chat(std::span<const uint8_t> payload);
  void refuse_chat(net::ChatRefusal reason, std::string_view text);
  // Sends the room's chat history, a queueful at a time, until caught up.
  void send_chat_history();
  // Counts a camera or mute flip; over the rate, a protocol error.
  void note_state_change();
  // Counts one event against `limiter`; over its rate, a protocol error saying `what`
  // (one log line; reading stops) and false.
  bool within_rate(core::RateLimiter& limiter, std::string_view what);
  // Stops reading, closes once what is queued is written, and starts the Bye grace.
  void close_after_flush();
  void handle_ping(std::span<const uint8_t> payload);
  void protocol_error(std::string_view what);
  void shutdown_socket(std::string_view reason);
  void schedule_watchdog();
  void watchdog_check();

  ServerContext& context_;
  RoomDirectory& rooms_;
  std::shared_ptr<Room> room_;  // set once joined
  net::Connection connection_;
  core::HandlerMemory handler_memory_;  // the watchdog's and close()'s handlers
  SessionTimer watchdog_timer_;         // handshake deadline, idle clients, stuck writes
  AddressGroup group_{};
  bool pending_ = true;  // counted as unauthenticated by the admission until it joins
  bool heard_ = false;   // a header has come
  std::chrono::steady_clock::time_point started_{};
  std::chrono::steady_clock::time_point last_packet_{};
  // When a Bye was queued and reading stopped (steady clock ticks; 0: not closing), from
  // any thread (a server shutdown closes every session): the peer has a short grace.
  std::atomic<int64_t> closing_since_{0};

  net::ServerHandshake handshake_;
  core::PooledBuffer video_payload_;  // from the receive pool once joined, for VideoUp
  Participant participant_{*this};
  std::optional<UplinkDecoder> uplink_;  // made at the join
  // What a client may ask of the server only so often (the io thread's): camera and mute
  // flips (each changes what every member is sent), view changes, pings.
  core::RateLimiter state_changes_;
  core::RateLimiter view_changes_;
  core::RateLimiter pings_;
  // Chat messages (the io thread's): over the rate, refused with a reason.
  core::RateLimiter chat_rate_;
  SessionTimer chat_timer_;       // paces the history into the control queue
  uint64_t chat_next_seq_ = 0;    // the next history message to send
  uint64_t chat_joined_seq_ = 0;  // messages below it were sent before we joined
};

}  // namespace ttycall::server
