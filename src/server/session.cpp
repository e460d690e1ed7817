#include "server/session.h"

#include <spdlog/spdlog.h>

#include <chrono>

#include "core/alloc_accounting.h"
#include "core/clock.h"
#include "server/room.h"
#include "server/server_context.h"

namespace ttycall::server {

namespace {
constexpr int kSendBufferBytes = 256 * 1024;

// Hello and KeyHello both start with a u16 protocol version. Another version may lay out
// the rest differently, so a payload that does not decode but names another version is
// answered with a Bye saying which version this server speaks.
bool names_other_version(std::span<const uint8_t> payload) {
  return payload.size() >= 2 && (payload[0] | payload[1] << 8) != net::kProtocolVersion;
}

}  // namespace

Session::Session(SessionSocket socket, ServerContext& context, Room& room)
    : context_(context),
      room_(room),
      connection_(std::move(socket), *this),
      watchdog_timer_(connection_.socket().get_executor()),
      phase_(context.options.insecure ? Phase::kHello : Phase::kKeyExchange),
      key_exchange_(context.auth) {}

Session::~Session() {
  if (counted_connection_) context_.connections.release(remote_address_);
}

bool Session::start() {
  asio::error_code ec;
  SessionSocket& socket = connection_.socket();
  socket.set_option(asio::ip::tcp::no_delay(true), ec);
  const asio::ip::tcp::endpoint remote = socket.remote_endpoint(ec);
  if (!ec) {
    const asio::ip::address a = remote.address();
    remote_address_ = a.is_v4()
                          ? asio::ip::make_address_v6(asio::ip::v4_mapped, a.to_v4()).to_bytes()
                          : a.to_v6().to_bytes();
  }
  if (ec || !context_.connections.acquire(remote_address_)) {
    spdlog::warn("refusing a connection from {}: {}",
                 ec ? "an unknown address" : remote.address().to_string(),
                 ec ? ec.message() : "too many connections from this address");
    // Say why, best effort and without waiting, so the client stops instead of retrying.
    std::array<uint8_t, net::kHeaderSize + 128> packet;
    const net::Bye bye =
        net::Bye::make(net::ByeReason::kServerFull, "too many connections from your address");
    connection_.write_now(packet, net::build_packet(net::MsgType::kBye, bye, packet));
    connection_.shut_down();
    return false;
  }
  counted_connection_ = true;
  // A small kernel send buffer: frames wait in the one-slot mailbox (where a newer one
  // replaces them) rather than by the megabyte in the socket, so a slow viewer skips
  // frames instead of falling seconds behind.
  socket.set_option(asio::socket_base::send_buffer_size(kSendBufferBytes), ec);
  video_payload_ = context_.receive_pool.acquire();
  if (!video_payload_) {
    close("no receive buffer left (server at capacity)");
    return false;
  }
  started_ = last_packet_ = std::chrono::steady_clock::now();
  schedule_watchdog();
  connection_.read_next();
  return true;
}

void Session::schedule_watchdog() {
  watchdog_timer_.expires_after(std::chrono::seconds(1));
  watchdog_timer_.async_wait(bound([self = shared_from_this()](const asio::error_code& ec) {
    if (ec || self->connection_.is_shut_down()) return;
    const auto now = std::chrono::steady_clock::now();
    const ServerOptions& o = self->context_.options;
    if (!self->joined() && now - self->started_ > core::to_duration(o.handshake_timeout)) {
      spdlog::warn("closing a connection: no hello within {} s", o.handshake_timeout);
      self->shutdown_socket("no hello within the handshake timeout");
      return;
    }
    if (now - self->last_packet_ > core::to_duration(o.idle_timeout)) {
      self->shutdown_socket("idle: nothing received within the idle timeout");
      return;
    }
    std::chrono::steady_clock::time_point write_started;
    if (self->connection_.writing_since(write_started) &&
        now - write_started > core::to_duration(o.idle_timeout)) {
      self->shutdown_socket("not reading: a write was stuck for the idle timeout");
      return;
    }
    self->schedule_watchdog();
  }));
}

void Session::admit(uint32_t id) {
  id_ = id;
  std::array<uint8_t, 32> packet;
  const net::Welcome welcome{id, static_cast<uint16_t>(context_.options.fps)};
  if (size_t n = net::build_packet(net::MsgType::kWelcome, welcome, packet)) {
    send_control({packet.data(), n});
  }
}

// ---- Reading ----

bool Session::accept_header(const net::Header& header) {
  last_packet_ = std::chrono::steady_clock::now();
  return handshake_allows(header.type) && client_may_send(header.type);
}

bool Session::client_may_send(net::MsgType type) {
  switch (type) {
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
  switch (failure) {
    case net::ReadFailure::kClosed:
      return shutdown_socket(detail.empty() ? "disconnected" : detail);
    case net::ReadFailure::kTruncated:
      spdlog::warn("closing connection{}{}: truncated packet ({})", joined() ? " of " : "",
                   joined() ? name_.view() : std::string_view(), detail);
      return shutdown_socket("truncated packet");
    case net::ReadFailure::kOtherVersion:
      spdlog::warn("closing connection: {}", detail);
      return refuse_other_version();
    default:
      return protocol_error(detail);
  }
}

// Which packets each step of the handshake accepts; answers a mismatch of --insecure
// between client and server with a Bye that says so.
bool Session::handshake_allows(net::MsgType type) {
  using net::MsgType;
  switch (phase_) {
    case Phase::kKeyExchange:
      if (type == MsgType::kKeyHello) return true;
      if (type == MsgType::kHello) {
        spdlog::warn("refusing an unencrypted client (this server encrypts; it has --insecure)");
        close_with_bye(net::ByeReason::kEncryptionRequired,
                       "this server encrypts every call: connect without --insecure");
        return false;
      }
      protocol_error("first packet was not a key exchange");
      return false;
    case Phase::kAuth:
      if (type == MsgType::kAuth) return true;
      protocol_error("expected auth after the key exchange");
      return false;
    case Phase::kHello:
      if (type == MsgType::kHello) return true;
      if (type == MsgType::kKeyHello && context_.options.insecure) {
        spdlog::warn("refusing an encrypting client (this server runs with --insecure)");
        close_with_bye(net::ByeReason::kNotEncrypted,
                       "this server runs without encryption (--insecure): connect with "
                       "--insecure to join it unencrypted");
        return false;
      }
      protocol_error("first packet was not a hello");
      return false;
    case Phase::kJoined:
      if (type == MsgType::kHello || type == MsgType::kKeyHello || type == MsgType::kAuth) {
        protocol_error("handshake packet after joining");
        return false;
      }
      return true;
  }
  return false;
}

void Session::on_packet(const net::Header& header, std::span<const uint8_t> payload) {
  switch (header.type) {
    case net::MsgType::kKeyHello:
      handle_key_hello(payload);
      break;
    case net::MsgType::kAuth:
      handle_auth(payload);
      break;
    case net::MsgType::kHello:
      handle_hello(payload);
      break;
    case net::MsgType::kResize:
      handle_resize(payload);
      break;
    case net::MsgType::kMediaState:
      handle_media_state(payload);
      break;
    case net::MsgType::kVideoUp:
      handle_video(payload);
      break;
    case net::MsgType::kPing: {
      net::Ping ping;
      if (!net::decode(payload, ping)) return protocol_error("malformed ping");
      std::array<uint8_t, 32> packet;
      if (size_t n = net::build_packet(net::MsgType::kPong, ping, packet)) {
        send_control({packet.data(), n});
      }
      break;
    }
    case net::MsgType::kAudioUp:
      handle_audio(payload);
      break;
    case net::MsgType::kPong:
      break;
    case net::MsgType::kBye:
      return shutdown_socket("said bye");
    default:
      return protocol_error("unexpected packet");
  }
}

void Session::refuse_other_version() {
  close_with_bye(net::ByeReason::kVersionMismatch, "this server speaks ttycall protocol version 1");
}

void Session::handle_key_hello(std::span<const uint8_t> payload) {
  net::KeyHello hello;
  if (!net::decode(payload, hello)) {
    if (names_other_version(payload)) return refuse_other_version();
    return protocol_error("malformed key exchange");
  }
  net::KeyWelcome welcome;
  net::SessionKeys keys;
  if (!key_exchange_.answer(hello, welcome, keys)) return protocol_error("unusable exchange key");
  std::array<uint8_t, net::kHeaderSize + 160> packet;
  const size_t n = net::build_packet(net::MsgType::kKeyWelcome, welcome, packet);
  if (n == 0 || !connection_.send_control({packet.data(), n}, net::Sealing::kPlain)) {
    return protocol_error("cannot answer the key exchange");
  }
  connection_.channel().enable(
      keys);  // the welcome above is marked plain; everything after is sealed
  phase_ = Phase::kAuth;
}

void Session::handle_auth(std::span<const uint8_t> payload) {
  net::Auth auth;
  if (!net::decode(payload, auth)) return protocol_error("malformed auth");
  const net::AuthVerdict verdict = key_exchange_.check(auth, client_key_);
  switch (verdict) {
    case net::AuthVerdict::kOk:
      phase_ = Phase::kHello;
      return;
    case net::AuthVerdict::kBadSignature:
      return protocol_error(net::to_string(verdict));
    case net::AuthVerdict::kPasswordMissing:
    case net::AuthVerdict::kWrongPassword:
      spdlog::warn("refusing client key {}: {}", client_key_.to_text(), net::to_string(verdict));
      return close_with_bye(net::ByeReason::kAuthFailed,
                            verdict == net::AuthVerdict::kWrongPassword
                                ? "wrong password"
                                : "this server needs a password: connect with --password");
    case net::AuthVerdict::kKeyNotAllowed:
      spdlog::warn("refusing client key {}: not in the allowed keys", client_key_.to_text());
      return close_with_bye(net::ByeReason::kKeyNotAllowed,
                            "your key is not allowed on this server: send the output of "
                            "`ttycall key` to its operator");
  }
}

ViewKey Session::clamp_view(ViewKey key) const {
  key.cols = uint16_t(std::min<int>(key.cols, context_.options.max_cols));
  key.rows = uint16_t(std::min<int>(key.rows, context_.options.max_rows));
  return key;
}

void Session::handle_hello(std::span<const uint8_t> payload) {
  net::Hello hello;
  if (!net::decode(payload, hello)) {
    if (names_other_version(payload)) return refuse_other_version();
    return protocol_error("malformed hello");
  }
  if (hello.protocol_version != net::kProtocolVersion) return refuse_other_version();
  name_ = hello.name;
  const ViewKey key = clamp_view({hello.cols, hello.rows, hello.render, hello.color});
  view_.store(key.packed(), std::memory_order_release);
  if (room_.join(shared_from_this()) == 0) {
    close_with_bye(net::ByeReason::kServerFull, "the call is full");
    return;
  }
  joined_.store(true, std::memory_order_release);
  phase_ = Phase::kJoined;
  spdlog::info("{} joined as participant {} ({}x{} {} {})", name_.view(), id_, key.cols, key.rows,
               media::to_string(key.mode), media::to_string(key.color));
}

void Session::handle_resize(std::span<const uint8_t> payload) {
  net::Resize resize;
  if (!net::decode(payload, resize)) return protocol_error("malformed resize");
  const ViewKey key = clamp_view(
      {resize.cols, resize.rows, resize.render, resize.color, resize.layout, resize.pinned_id});
  view_layout_.store(key.packed_layout(), std::memory_order_release);
  view_.store(key.packed(), std::memory_order_release);
}

void Session::handle_media_state(std::span<const uint8_t> payload) {
  net::MediaState state;
  if (!net::decode(payload, state)) return protocol_error("malformed media state");
  const bool off = (state.flags & net::kMediaVideoOff) != 0;
  if (video_off_.exchange(off, std::memory_order_acq_rel) != off) room_.refresh_participants();
}

void Session::handle_video(std::span<const uint8_t> payload) {
  net::VideoUpHeader up;
  std::span<const uint8_t> jpeg;
  if (!net::decode(payload, up, jpeg)) return protocol_error("malformed video frame");
  media::JpegInfo info;
  const size_t needed = size_t(up.width) * up.height * 3;
  if (!jpeg_.read_info(jpeg, info) || info.width != up.width || info.height != up.height ||
      needed > context_.decoded_pool.buffer_size()) {
    context_.counters.video_frames_rejected.fetch_add(1, std::memory_order_relaxed);
    return;  // a bad frame costs the frame, not the call
  }
  VideoFrame frame;
  frame.pixels = context_.decoded_pool.acquire();
  if (!frame.pixels) {
    context_.counters.frames_dropped.fetch_add(1, std::memory_order_relaxed);
    return;
  }
  if (!jpeg_.decode(jpeg, info, frame.pixels.writable())) {
    context_.counters.video_frames_rejected.fetch_add(1, std::memory_order_relaxed);
    return;
  }
  frame.pixels.set_size(needed);
  frame.width = up.width;
  frame.height = up.height;
  frame.capture_us = up.capture_us;
  {
    std::lock_guard lock(video_mutex_);
    std::swap(latest_, frame);  // the previous frame is released outside the lock
  }
  // The first frame changes what the participant list says (kHasVideo): tell everyone.
  if (video_version_.fetch_add(1, std::memory_order_acq_rel) == 0) room_.refresh_participants();
  context_.counters.video_frames_in.fetch_add(1, std::memory_order_relaxed);
}

void Session::handle_audio(std::span<const uint8_t> payload) {
  net::AudioUpHeader up;
  std::span<const uint8_t> opus;
  if (!net::decode(payload, up, opus)) return protocol_error("malformed audio packet");
  const bool silent = (up.flags & net::kAudioSilent) != 0;
  if (muted_.exchange(silent, std::memory_order_acq_rel) != silent) room_.refresh_participants();
  if (silent) {
    have_audio_seq_ = false;
    return;
  }
  // One lost packet is recovered from this packet's in-band FEC data, so the decoder stays
  // in step and the mixer gets the missing frame too.
  if (have_audio_seq_ && up.seq - last_audio_seq_ == 2 && opus_.decode_fec(opus, decoded_audio_)) {
    queue_decoded_audio(up.capture_us);
  }
  have_audio_seq_ = true;
  last_audio_seq_ = up.seq;
  opus_.decode(opus, decoded_audio_);
  queue_decoded_audio(up.capture_us);
}

void Session::queue_decoded_audio(uint64_t capture_us) {
  std::lock_guard lock(audio_in_mutex_);
  audio_in_.make_room();  // full: the oldest goes
  DecodedAudio& frame = audio_in_.next_slot();
  frame.samples = decoded_audio_;
  frame.capture_us = capture_us;
  audio_in_.commit_push();
}

bool Session::pop_audio(std::span<float> out, uint64_t& capture_us) {
  std::lock_guard lock(audio_in_mutex_);
  if (audio_in_.empty()) {
    audio_backlog_ticks_ = 0;
    return false;
  }
  // The mixer takes one frame per tick and the client sends one per 20 ms, so a backlog
  // left by a stall would stay for the rest of the call. When frames have been waiting for
  // half a second, skip one: a brief glitch instead of a lasting delay.
  if (audio_in_.size() > 1) {
    if (++audio_backlog_ticks_ >= kAudioBacklogTicks) {
      audio_in_.pop();
      audio_backlog_ticks_ = 0;
    }
  } else {
    audio_backlog_ticks_ = 0;
  }
  const DecodedAudio& frame = audio_in_.front();
  std::copy(frame.samples.begin(), frame.samples.end(), out.begin());
  capture_us = frame.capture_us;
  audio_in_.pop();
  return true;
}

VideoFrame Session::latest_video() const {
  std::lock_guard lock(video_mutex_);
  return latest_;
}

void Session::protocol_error(std::string_view what) {
  spdlog::warn("closing connection{}{}: {}", joined() ? " of " : "",
               joined() ? name_.view() : std::string_view(), what);
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
  connection_.close_after_flush();
  if (!queued) close(text);
}

void Session::shutdown_socket(std::string_view reason) {
  if (connection_.is_shut_down()) return;
  connection_.shut_down();
  if (joined()) spdlog::info("{} (participant {}) left: {}", name_.view(), id_, reason);
  watchdog_timer_.cancel();
  room_.leave(*this);
  std::lock_guard lock(video_mutex_);
  latest_ = VideoFrame{};
}

}  // namespace ttycall::server
