#include "server/session.h"

#include <fmt/format.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <spdlog/spdlog.h>
#include <sys/socket.h>

#include <algorithm>
#include <chrono>
#include <span>
#include <string_view>

#include "core/clock.h"
#include "core/safe_text.h"
#include "core/utf8.h"
#include "media/layout.h"
#include "server/room.h"
#include "server/room_directory.h"
#include "server/server_context.h"

namespace ttycall::server {

namespace {
// What a refusal of typed text says: "your SUBJECT RULE (U+XXXX at byte N)", in `out`.
std::string_view unsafe_text_reason(std::string_view subject, const core::TextCheck& check,
                                    std::span<char> out) {
  const auto r =
      fmt::format_to_n(out.data(), out.size(), "your {} {} (U+{:04X} at byte {})", subject,
                       core::describe(check.problem), check.code_point, check.offset);
  return {out.data(), std::min(r.size, out.size())};
}

// The kernel's send buffer bounds what is in flight plus what is queued unsent; it is not
// what keeps a slow viewer current (TCP_NOTSENT_LOWAT below is).
constexpr int kSendBufferBytes = 256 * 1024;
// TCP_NOTSENT_LOWAT: the kernel takes more bytes from the writer only while fewer than
// this many wait unsent (sendmsg on the non-blocking socket stops accepting beyond it, up
// to one segment more), and the socket polls writable again once they are down to half
// (Linux 4.20 on). The connection's writer takes the mailbox's frame only when the socket
// polls writable, so a frame waits in the one-slot mailbox, where a newer one replaces it,
// and the kernel holds about one frame beyond what is on the wire. Without it the 256 KiB
// buffer held seconds of frames behind a slow link (tests/integration/slow_link_test.cpp,
// at 300 kbit/s: 2.4 s at p95 after 6 s of call and growing, against 0.23 s with it).
// Small, because every byte queued here is latency on a slow link: 1 KiB is 27 ms at
// 300 kbit/s (4 KiB, 110 ms, measured about 80 ms worse at p95). At high bandwidth it
// costs no throughput: bytes in flight are bounded by the congestion window, not by this
// mark, and the writer has a round trip to refill before the link idles. Its cost is a
// wake-up and a sendmsg per segment (up to 64 KiB) of a large frame rather than one per
// frame: four viewers of 67 kB text frames at 30 fps over loopback used the same CPU.
constexpr int kNotSentLowatBytes = 1024;

// Camera and mute flips a participant may make: a person toggles a few times a second at
// most, while each flip changes the list every member is sent. Beyond this the connection
// is closed as a protocol error.
constexpr double kStateChangesPerSecond = 10;
constexpr double kStateChangeBurst = 20;
// View changes (Resize): each can make the compositor render a view of its own and ask the
// others for new camera sizes. The client sends at most one every 150 ms (a window being
// dragged sends its latest size).
constexpr double kViewChangesPerSecond = 10;
constexpr double kViewChangeBurst = 20;
// Pings and pongs: the client pings once a second and the server never pings, but each
// ping costs a pong written on an io thread that other sessions share.
constexpr double kPingsPerSecond = 5;
constexpr double kPingBurst = 10;

// Chat messages a participant may send: a person types one every second or two, and may
// paste a few lines at once. Each is relayed to every member; beyond this rate a message is
// refused (with a reason) and the connection stays.
constexpr double kChatMessagesPerSecond = 2;
constexpr double kChatBurst = 10;
// While the history does not fit the control queue, the rest follows this much later.
constexpr auto kChatHistoryRetry = std::chrono::milliseconds(10);

// After a Bye is queued (a refusal, a protocol error, shutdown), reading stops at once and
// the peer has this long to take the Bye before the socket is shut (the watchdog checks
// each second), so a peer that made an error and does not read is gone in seconds, not
// after the idle timeout.
constexpr auto kByeGrace = std::chrono::seconds(2);

// Sets TCP_NOTSENT_LOWAT (Asio has no option type for it).
void limit_unsent_bytes(SessionSocket& socket, int bytes, asio::error_code& ec) {
  ec.clear();
  if (::setsockopt(socket.native_handle(), IPPROTO_TCP, TCP_NOTSENT_LOWAT, &bytes, sizeof bytes) !=
      0) {
    ec = asio::error_code(errno, asio::system_category());
  }
}
}  // namespace

Session::Session(SessionSocket socket, ServerContext& context, RoomDirectory& rooms,
                 const AddressGroup& group)
    : context_(context),
      rooms_(rooms),
      connection_(std::move(socket), *this),
      watchdog_timer_(connection_.socket().get_executor()),
      group_(group),
      handshake_(context.auth, context.options.insecure),
      state_changes_(kStateChangesPerSecond, kStateChangeBurst),
      view_changes_(kViewChangesPerSecond, kViewChangeBurst),
      pings_(kPingsPerSecond, kPingBurst),
      chat_rate_(kChatMessagesPerSecond, kChatBurst),
      chat_timer_(connection_.socket().get_executor()) {}

Session::~Session() {
  context_.admission.release(group_, pending_);
}

void Session::start() {
  asio::error_code ec;
  SessionSocket& socket = connection_.socket();
  socket.set_option(asio::ip::tcp::no_delay(true), ec);
  // Frames wait in the one-slot mailbox (where a newer one replaces them) rather than in
  // the socket, so a slow viewer skips frames instead of falling seconds behind.
  socket.set_option(asio::socket_base::send_buffer_size(kSendBufferBytes), ec);
  limit_unsent_bytes(socket, kNotSentLowatBytes, ec);
  if (ec) spdlog::warn("TCP_NOTSENT_LOWAT not set: {}", ec.message());
  started_ = last_packet_ = std::chrono::steady_clock::now();
  schedule_watchdog();
  connection_.read_next();
}

void Session::schedule_watchdog() {
  watchdog_timer_.expires_after(std::chrono::seconds(1));
  watchdog_timer_.async_wait(bound([self = shared_from_this()](const asio::error_code& ec) {
    if (ec || self->connection_.is_shut_down()) return;
    self->watchdog_check();
  }));
}

void Session::watchdog_check() {
  const auto now = std::chrono::steady_clock::now();
  const ServerOptions& o = context_.options;
  const int64_t closing = closing_since_.load(std::memory_order_acquire);
  if (closing != 0) {
    if (now - std::chrono::steady_clock::time_point(std::chrono::steady_clock::duration(closing)) >
        kByeGrace) {
      return shutdown_socket("did not take its Bye in time");
    }
    return schedule_watchdog();
  }
  if (!heard_ && now - started_ > core::to_duration(o.first_message_timeout)) {
    refuse(Refusal::kFirstMessageTimeout);
    return schedule_watchdog();  // for the Bye's grace
  }
  if (!participant_.joined() && now - started_ > core::to_duration(o.handshake_timeout)) {
    refuse(Refusal::kHandshakeTimeout);
    return schedule_watchdog();
  }
  if (now - last_packet_ > core::to_duration(o.idle_timeout)) {
    return shutdown_socket("idle: nothing received within the idle timeout");
  }
  std::chrono::steady_clock::time_point write_started;
  if (connection_.writing_since(write_started) &&
      now - write_started > core::to_duration(o.idle_timeout)) {
    return shutdown_socket("not reading: a write was stuck for the idle timeout");
  }
  schedule_watchdog();
}

// ---- Reading ----

bool Session::accept_header(const net::Header& header) {
  last_packet_ = std::chrono::steady_clock::now();
  heard_ = true;
  const net::HandshakeStep allowed = handshake_.check_type(header.type);
  if (allowed.kind != net::HandshakeStep::Kind::kContinue) {
    act_on(allowed);
    return false;
  }
  switch (header.type) {
    case net::MsgType::kVideoUp:
    case net::MsgType::kKeyHello:
    case net::MsgType::kAuth:
    case net::MsgType::kHello:
    case net::MsgType::kResize:
    case net::MsgType::kPing:
    case net::MsgType::kPong:
    case net::MsgType::kBye:
    case net::MsgType::kAudioUp:
    case net::MsgType::kMediaState:
    case net::MsgType::kListRooms:
    case net::MsgType::kChatSend:
      return true;
    default:
      protocol_error("packet type a client may not send");
      return false;
  }
}

std::span<uint8_t> Session::video_payload_buffer(const net::Header&) {
  return video_payload_.writable();
}

void Session::on_read_failed(net::ReadFailure failure, std::string_view detail) {
  const bool joined = participant_.joined();
  switch (failure) {
    case net::ReadFailure::kClosed:
      return shutdown_socket(detail.empty() ? "disconnected" : detail);
    case net::ReadFailure::kTruncated:
      spdlog::warn("closing connection{}{}: truncated packet ({})", joined ? " of " : "",
                   joined ? participant_.name().view() : std::string_view(), detail);
      return shutdown_socket("truncated packet");
    case net::ReadFailure::kOtherVersion:
      spdlog::warn("closing connection: {}", detail);
      return act_on(net::ServerHandshake::other_version());
    default:
      return protocol_error(detail);
  }
}

void Session::on_packet(const net::Header& header, std::span<const uint8_t> payload) {
  switch (header.type) {
    case net::MsgType::kKeyHello:
      // The server's costliest step (a key generation, a Diffie-Hellman, a signature).
      if (!admitted(context_.admission.allow_key_exchange(group_, core::SteadyClock::now()))) {
        return;
      }
      return act_on(handshake_.step(header.type, payload));
    case net::MsgType::kAuth: {
      if (context_.auth.password &&
          !admitted(context_.admission.allow_password_attempt(group_, core::SteadyClock::now()))) {
        return;
      }
      const net::HandshakeStep step = handshake_.step(header.type, payload);
      note_password(step.password);
      return act_on(step);
    }
    case net::MsgType::kHello:
    case net::MsgType::kListRooms:
      return act_on(handshake_.step(header.type, payload));
    case net::MsgType::kResize:
      return handle_resize(payload);
    case net::MsgType::kMediaState:
      return handle_media_state(payload);
    case net::MsgType::kChatSend:
      return handle_chat(payload);
    case net::MsgType::kVideoUp:
      if (!uplink_ || !uplink_->video(payload)) protocol_error("malformed video frame");
      return;
    case net::MsgType::kAudioUp: {
      const bool was_muted = participant_.muted();
      if (!uplink_ || !uplink_->audio(payload)) return protocol_error("malformed audio packet");
      if (participant_.muted() != was_muted) note_state_change();
      return;
    }
    case net::MsgType::kPing:
      if (!within_rate(pings_, "too many pings a second")) return;
      return handle_ping(payload);
    case net::MsgType::kPong:
      within_rate(pings_, "too many pings a second");
      return;
    case net::MsgType::kBye:
      return shutdown_socket("said bye");
    default:
      return protocol_error("unexpected packet");
  }
}

// ---- The handshake ----

void Session::refuse(Refusal why) {
  context_.refusals.note(why);
  close_with_bye(bye_reason(why), bye_text(why));
}

bool Session::admitted(Refusal verdict) {
  if (verdict == Refusal::kNone) return true;
  refuse(verdict);
  return false;
}

void Session::note_password(net::HandshakeStep::Password outcome) {
  switch (outcome) {
    case net::HandshakeStep::Password::kNotChecked:
      return;
    case net::HandshakeStep::Password::kRight:
      return context_.admission.password_succeeded(group_);
    case net::HandshakeStep::Password::kWrong:
      context_.refusals.note(Refusal::kWrongPassword);  // logged in aggregate, not here
      return context_.admission.password_failed(group_, core::SteadyClock::now());
  }
}

void Session::act_on(const net::HandshakeStep& step) {
  using Kind = net::HandshakeStep::Kind;
  switch (step.kind) {
    case Kind::kContinue:
      return;
    case Kind::kAnswer: {
      std::array<uint8_t, net::kMaxControlPacket> packet;
      const size_t n = net::build_packet(net::MsgType::kKeyWelcome, step.welcome, packet);
      if (n == 0 || !connection_.send_control({packet.data(), n}, net::Sealing::kPlain)) {
        return protocol_error("cannot answer the key exchange");
      }
      connection_.channel().enable(step.keys);  // the welcome is plain; all after it sealed
      return;
    }
    case Kind::kJoin:
      return join(step.hello);
    case Kind::kListRooms:
      return list_rooms();
    case Kind::kRefuse:
      if (step.password == net::HandshakeStep::Password::kWrong) {
        // counted by note_password()
      } else if (step.log_client_key) {
        spdlog::warn("refusing client key {}: {}", handshake_.client_key().to_text(), step.log);
      } else if (!step.log.empty()) {
        spdlog::warn("{}", step.log);
      }
      return close_with_bye(step.reason, step.text);
    case Kind::kProtocolError:
      return protocol_error(step.text);
  }
}

ViewKey Session::clamp_view(ViewKey key) const {
  key.cols = uint16_t(std::min<int>(key.cols, context_.options.max_cols));
  key.rows = uint16_t(std::min<int>(key.rows, context_.options.max_rows));
  // 0: the server's default; a viewer may ask for fewer or more tiles, up to what a grid holds.
  key.gallery = uint8_t(std::clamp<int>(key.gallery == 0 ? context_.options.gallery : key.gallery,
                                        1, media::kMaxTiles));
  return key;
}

void Session::join(const net::Hello& hello) {
  if (!refuse_bad_name(hello.name)) return;
  // Refusals name the room the client asked for: it is theirs, and it passed the room name
  // rules, so it is safe to print.
  const net::Name room =
      hello.room.len > 0 ? hello.room : net::Name::from(context_.options.default_room);
  std::array<char, 120> text;
  // Wrong passwords are logged in aggregate (note_password), everything else here.
  auto refuse = [&](net::ByeReason reason, std::string_view format_text, bool log = true) {
    const auto r =
        fmt::format_to_n(text.data(), text.size(), fmt::runtime(format_text), room.view());
    const std::string_view said(text.data(), std::min(r.size, text.size()));
    if (log) spdlog::info("refusing {} for room {}: {}", hello.name.view(), room.view(), said);
    close_with_bye(reason, said);
  };
  const RoomPolicy::Rule* rule = context_.rooms.find(room.view());
  if (rule == nullptr) return refuse(net::ByeReason::kNoSuchRoom, "there is no room '{}' here");
  if (rule->password) {
    if (!hello.has_room_password) {
      return refuse(net::ByeReason::kRoomPassword,
                    "room '{}' needs a password: connect with --room-password");
    }
    if (!admitted(context_.admission.allow_password_attempt(group_, core::SteadyClock::now()))) {
      return;
    }
    if (!handshake_.proves_room_password(*rule->password, hello)) {
      note_password(net::HandshakeStep::Password::kWrong);
      return refuse(net::ByeReason::kRoomPassword, "wrong password for room '{}'", false);
    }
    note_password(net::HandshakeStep::Password::kRight);
  }
  // A cluster node hosts only the rooms placed on it: a room that is not here yet (or any
  // room, while this node drains) is placed first, which may send the client elsewhere.
  if (context_.cluster != nullptr &&
      (context_.cluster->draining() || rooms_.members_of(room.view()) == 0)) {
    return place_in_cluster(hello, room);
  }
  join_here(hello, room);
}

void Session::place_in_cluster(const net::Hello& hello, const net::Name& room) {
  context_.cluster->place(
      room.view(), [self = shared_from_this(), hello, room](const cluster::Placement& where) {
        asio::post(self->watchdog_timer_.get_executor(),
                   [self, hello, room, where] { self->placed(hello, room, where); });
      });
}

void Session::placed(const net::Hello& hello, const net::Name& room,
                     const cluster::Placement& where) {
  if (connection_.is_shut_down() || closing_since_.load(std::memory_order_acquire) != 0) return;
  switch (where.kind) {
    case cluster::Placement::Kind::kHere:
      return join_here(hello, room);
    case cluster::Placement::Kind::kElsewhere:
      return redirect(where.node, hello.name, room);
    case cluster::Placement::Kind::kUnavailable:
      return close_with_bye(net::ByeReason::kClusterUnavailable,
                            "the cluster cannot place a new room now (its NATS is unreachable); "
                            "trying again shortly");
  }
}

void Session::redirect(const net::NodeAddress& node, const net::Name& who, const net::Name& room) {
  std::array<uint8_t, net::kMaxControlPacket> packet;
  const size_t n = net::build_packet(net::MsgType::kRedirect, net::Redirect{node}, packet);
  if (n == 0 || !send_control({packet.data(), n})) return close("cannot send the redirect");
  spdlog::info("redirecting {} to {}, which hosts room {}", who.view(), node.view(), room.view());
  close_after_flush();
}

void Session::send_cluster_nodes() {
  net::ClusterNodes nodes;
  context_.cluster->other_nodes(nodes);
  std::array<uint8_t, net::kMaxControlPacket> packet;
  const size_t n = net::build_packet(net::MsgType::kClusterNodes, nodes, packet);
  if (n > 0) send_control({packet.data(), n});
}

void Session::join_here(const net::Hello& hello, const net::Name& room) {
  std::array<char, 120> text;
  auto refuse = [&](net::ByeReason reason, std::string_view format_text) {
    const auto r =
        fmt::format_to_n(text.data(), text.size(), fmt::runtime(format_text), room.view());
    const std::string_view said(text.data(), std::min(r.size, text.size()));
    spdlog::info("refusing {} for room {}: {}", hello.name.view(), room.view(), said);
    close_with_bye(reason, said);
  };
  const RoomPolicy::Rule* rule = context_.rooms.find(room.view());
  if (rule == nullptr) return refuse(net::ByeReason::kNoSuchRoom, "there is no room '{}' here");
  // What only a member needs comes now: the receive buffer for camera frames and the
  // decoders.
  video_payload_ = context_.receive_pool.acquire();
  if (!video_payload_) return refuse(net::ByeReason::kServerFull, "the server is full");
  uplink_.emplace(context_, participant_);
  participant_.set_name(hello.name);
  const ViewKey key = clamp_view({hello.cols, hello.rows});
  participant_.set_view(key);
  RoomDirectory::Admission admission = rooms_.join(
      room, rule->max_members, std::shared_ptr<Participant>(shared_from_this(), &participant_));
  if (!admission.room) {
    if (admission.refusal == net::ByeReason::kRoomFull) {
      return refuse(net::ByeReason::kRoomFull, "room '{}' is full");
    }
    return refuse(net::ByeReason::kServerFull, "the server is full");
  }
  room_ = std::move(admission.room);
  context_.admission.authenticated(group_);
  pending_ = false;
  participant_.set_joined();
  chat_joined_seq_ = room_->chat_next_seq();
  if (context_.cluster != nullptr) send_cluster_nodes();
  send_chat_history();
  spdlog::info("{} joined as participant {} of room {} ({}x{})", participant_.name().view(),
               participant_.id(), room.view(), key.cols, key.rows);
}

bool Session::refuse_bad_name(const net::Name& name) {
  const core::TextCheck check = core::check_safe_text(name.view(), net::kMaxNameBytes);
  if (check.ok()) return true;
  std::array<char, 120> text;
  const std::string_view said = unsafe_text_reason("name", check, text);
  spdlog::info("refusing the name '{}': {}", core::utf8::printable(name.view()), said);
  close_with_bye(net::ByeReason::kBadName, said);
  return false;
}

void Session::list_rooms() {
  if (!context_.options.list_rooms) {
    return close_with_bye(net::ByeReason::kNotListed,
                          "this server does not list its rooms (it runs without --list-rooms)");
  }
  if (context_.cluster != nullptr) {
    context_.cluster->list_rooms([self = shared_from_this()](const net::ClusterRoomList& list) {
      asio::post(self->watchdog_timer_.get_executor(),
                 [self, list] { self->send_cluster_rooms(list); });
    });
    return;
  }
  net::RoomList list;
  rooms_.list(list);
  std::array<uint8_t, net::kMaxControlPacket> packet;
  const size_t n = net::build_packet(net::MsgType::kRoomList, list, packet);
  if (n == 0 || !send_control({packet.data(), n})) return close("cannot send the room list");
  close_after_flush();
}

void Session::send_cluster_rooms(const net::ClusterRoomList& list) {
  if (connection_.is_shut_down()) return;
  std::array<uint8_t, net::kMaxControlPacket> packet;
  const size_t n = net::build_packet(net::MsgType::kClusterRoomList, list, packet);
  if (n == 0 || !send_control({packet.data(), n})) return close("cannot send the room list");
  close_after_flush();
}

// ---- In the call ----

void Session::handle_resize(std::span<const uint8_t> payload) {
  if (!within_rate(view_changes_, "too many view changes a second")) return;
  net::Resize resize;
  if (!net::decode(payload, resize)) return protocol_error("malformed resize");
  participant_.set_view(
      clamp_view({resize.cols, resize.rows, resize.layout, resize.pinned_id, resize.gallery}));
}

void Session::handle_media_state(std::span<const uint8_t> payload) {
  net::MediaState state;
  if (!net::decode(payload, state)) return protocol_error("malformed media state");
  const bool off = (state.flags & net::kMediaVideoOff) != 0;
  if (off == participant_.video_off()) return;
  participant_.set_video_off(off);
  note_state_change();
}

void Session::handle_chat(std::span<const uint8_t> payload) {
  net::ChatSend message;
  if (!net::decode(payload, message)) return protocol_error("malformed chat message");
  if (!room_) return;
  // Every attempt counts, so a flood of refused messages is limited too.
  if (!chat_rate_.allow(core::SteadyClock::now())) {
    return refuse_chat(net::ChatRefusal::kRateLimited,
                       "too many messages: wait a moment before sending more");
  }
  const core::TextCheck check = core::check_safe_text(message.view(), net::kMaxChatTextBytes);
  if (check.problem == core::TextProblem::kTooLong) {
    std::array<char, 96> text;
    const auto r = fmt::format_to_n(text.data(), text.size(),
                                    "your message is too long ({} bytes, at most {})",
                                    message.text_len, net::kMaxChatTextBytes);
    return refuse_chat(net::ChatRefusal::kTooLong, {text.data(), std::min(r.size, text.size())});
  }
  if (!check.ok()) {
    std::array<char, 120> text;
    return refuse_chat(net::ChatRefusal::kBadText, unsafe_text_reason("message", check, text));
  }
  room_->chat(participant_, message.view(), core::wall_clock_us());
}

void Session::refuse_chat(net::ChatRefusal reason, std::string_view text) {
  std::array<uint8_t, net::kHeaderSize + net::max_payload(net::MsgType::kChatRefused)> packet;
  const size_t n =
      net::build_packet(net::MsgType::kChatRefused, net::ChatRefused::make(reason, text), packet);
  if (n > 0) send_control({packet.data(), n});  // dropped if the queue is full: a flood
}

void Session::send_chat_history() {
  if (!room_ || connection_.is_shut_down()) return;
  if (room_->send_chat_history(participant_, chat_next_seq_, chat_joined_seq_)) return;
  chat_timer_.expires_after(kChatHistoryRetry);
  chat_timer_.async_wait(bound([self = shared_from_this()](const asio::error_code& ec) {
    if (!ec) self->send_chat_history();
  }));
}

void Session::note_state_change() {
  within_rate(state_changes_, "too many camera or mute changes a second");
}

bool Session::within_rate(core::RateLimiter& limiter, std::string_view what) {
  if (limiter.allow(core::SteadyClock::now())) return true;
  protocol_error(what);
  return false;
}

void Session::handle_ping(std::span<const uint8_t> payload) {
  net::Ping ping;
  if (!net::decode(payload, ping)) return protocol_error("malformed ping");
  std::array<uint8_t, 32> packet;
  if (size_t n = net::build_packet(net::MsgType::kPong, ping, packet)) {
    send_control({packet.data(), n});
  }
}

void Session::protocol_error(std::string_view what) {
  const bool joined = participant_.joined();
  spdlog::warn("closing connection{}{}: {}", joined ? " of " : "",
               joined ? participant_.name().view() : std::string_view(), what);
  close_with_bye(net::ByeReason::kProtocolError, what);
}

// ---- Writing ----

void Session::offer_video(const core::PooledBuffer& packet) {
  if (connection_.offer_video(packet)) {
    context_.counters.frames_dropped.fetch_add(1, std::memory_order_relaxed);
  }
}

bool Session::send_control(std::span<const uint8_t> packet) {
  return connection_.send_control(packet);
}

bool Session::send_audio(std::span<const uint8_t> packet) {
  return connection_.send_audio(packet);
}

void Session::on_video_written() {
  context_.counters.frames_sent.fetch_add(1, std::memory_order_relaxed);
}

// ---- Closing ----

void Session::close(std::string_view reason) {
  asio::post(watchdog_timer_.get_executor(),
             bound([self = shared_from_this(), reason] { self->shutdown_socket(reason); }));
}

void Session::close_with_bye(net::ByeReason reason, std::string_view text) {
  std::array<uint8_t, net::kHeaderSize + 128> packet;
  const size_t n = net::build_packet(net::MsgType::kBye, net::Bye::make(reason, text), packet);
  // The Bye goes first, so the flush that follows cannot finish before it is queued.
  const bool queued = n > 0 && send_control({packet.data(), n});
  close_after_flush();
  if (!queued) close(text);
}

void Session::close_after_flush() {
  connection_.close_after_flush();  // nothing the peer sends from now on is handled
  int64_t not_yet = 0;
  closing_since_.compare_exchange_strong(
      not_yet, std::chrono::steady_clock::now().time_since_epoch().count(),
      std::memory_order_acq_rel);
}

void Session::shutdown_socket(std::string_view reason) {
  if (connection_.is_shut_down()) return;
  connection_.shut_down();
  if (participant_.joined()) {
    spdlog::info("{} (participant {}) left: {}", participant_.name().view(), participant_.id(),
                 reason);
  }
  watchdog_timer_.cancel();
  chat_timer_.cancel();
  if (room_) rooms_.leave(*room_, participant_);
  if (uplink_) uplink_->stop();  // a frame still being decoded does not reach the participant
  participant_.drop_video();
}

}  // namespace ttycall::server
