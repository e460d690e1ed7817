#include "server/session.h"

#include <spdlog/spdlog.h>

#include <chrono>

#include "core/clock.h"
#include "server/room.h"
#include "server/server_context.h"

namespace ttycall::server {

namespace {
constexpr int kSendBufferBytes = 256 * 1024;

}  // namespace

Session::Session(SessionSocket socket, ServerContext& context, Room& room)
    : socket_(std::move(socket)),
      context_(context),
      room_(room),
      watchdog_timer_(socket_.get_executor()) {}

Session::~Session() {
  if (counted_connection_) context_.connections.release(remote_address_);
}

bool Session::start() {
  asio::error_code ec;
  socket_.set_option(asio::ip::tcp::no_delay(true), ec);
  const asio::ip::tcp::endpoint remote = socket_.remote_endpoint(ec);
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
    if (const size_t n = net::build_packet(net::MsgType::kBye, bye, packet); n > 0) {
      socket_.non_blocking(true, ec);
      socket_.write_some(asio::buffer(packet.data(), n), ec);
    }
    socket_.close(ec);
    closed_.store(true);
    return false;
  }
  counted_connection_ = true;
  // A small kernel send buffer: frames wait in the one-slot mailbox (where a newer one
  // replaces them) rather than by the megabyte in the socket, so a slow viewer skips
  // frames instead of falling seconds behind.
  socket_.set_option(asio::socket_base::send_buffer_size(kSendBufferBytes), ec);
  video_payload_ = context_.receive_pool.acquire();
  if (!video_payload_) {
    close("no receive buffer left (server at capacity)");
    return false;
  }
  started_ = last_packet_ = std::chrono::steady_clock::now();
  schedule_watchdog();
  read_header();
  return true;
}

void Session::schedule_watchdog() {
  watchdog_timer_.expires_after(std::chrono::seconds(1));
  watchdog_timer_.async_wait(bound([self = shared_from_this()](const asio::error_code& ec) {
    if (ec || self->closed_.load()) return;
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
    if (self->writing_ && now - self->write_started_ > core::to_duration(o.idle_timeout)) {
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

void Session::read_header() {
  asio::async_read(socket_, asio::buffer(header_bytes_),
                   bound([self = shared_from_this()](const asio::error_code& ec, size_t) {
                     self->on_header(ec);
                   }));
}

void Session::on_header(const asio::error_code& ec) {
  last_packet_ = std::chrono::steady_clock::now();
  if (ec) {
    shutdown_socket(ec == asio::error::eof ? "disconnected" : ec.message());
    return;
  }
  const net::HeaderError error = net::parse_header(header_bytes_, header_);
  if (error == net::HeaderError::kBadVersion) {
    spdlog::warn("closing connection: {}", net::to_string(error));
    close_with_bye(net::ByeReason::kVersionMismatch,
                   "this server speaks ttycall protocol version 1");
    return;
  }
  if (error != net::HeaderError::kOk) {
    protocol_error(net::to_string(error));
    return;
  }
  const bool is_hello = header_.type == net::MsgType::kHello;
  if (!joined() && !is_hello) {
    protocol_error("first packet was not a hello");
    return;
  }
  if (joined() && is_hello) {
    protocol_error("second hello");
    return;
  }
  uint8_t* target = nullptr;
  switch (header_.type) {
    case net::MsgType::kVideoUp:
      target = video_payload_.data();
      break;
    case net::MsgType::kHello:
    case net::MsgType::kResize:
    case net::MsgType::kPing:
    case net::MsgType::kPong:
    case net::MsgType::kBye:
    case net::MsgType::kAudioUp:
    case net::MsgType::kMediaState:
      target = small_payload_.data();
      if (header_.length > small_payload_.size()) {
        protocol_error("control packet larger than its buffer");
        return;
      }
      break;
    default:
      protocol_error("packet type a client may not send");
      return;
  }
  if (header_.length == 0) {
    handle_packet({target, 0});
    return;
  }
  asio::async_read(socket_, asio::buffer(target, header_.length),
                   bound([self = shared_from_this()](const asio::error_code& ec, size_t) {
                     self->on_payload(ec);
                   }));
}

void Session::on_payload(const asio::error_code& ec) {
  if (ec) {
    shutdown_socket(ec == asio::error::eof ? "disconnected mid-packet" : ec.message());
    return;
  }
  const uint8_t* data =
      header_.type == net::MsgType::kVideoUp ? video_payload_.data() : small_payload_.data();
  handle_packet({data, header_.length});
}

void Session::handle_packet(std::span<const uint8_t> payload) {
  if (!net::payload_crc_matches(header_, payload)) {
    protocol_error("payload CRC mismatch");
    return;
  }
  switch (header_.type) {
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
      shutdown_socket("said bye");
      return;
    default:
      return protocol_error("unexpected packet");
  }
  if (!closed_.load()) read_header();
}

ViewKey Session::clamp_view(ViewKey key) const {
  key.cols = uint16_t(std::min<int>(key.cols, context_.options.max_cols));
  key.rows = uint16_t(std::min<int>(key.rows, context_.options.max_rows));
  return key;
}

void Session::handle_hello(std::span<const uint8_t> payload) {
  net::Hello hello;
  if (!net::decode(payload, hello)) {
    // A different protocol version may lay out its hello differently: answer it clearly.
    if (payload.size() >= 2 && (payload[0] | payload[1] << 8) != net::kProtocolVersion) {
      close_with_bye(net::ByeReason::kVersionMismatch,
                     "this server speaks ttycall protocol version 1");
      return;
    }
    return protocol_error("malformed hello");
  }
  if (hello.protocol_version != net::kProtocolVersion) {
    close_with_bye(net::ByeReason::kVersionMismatch,
                   "this server speaks ttycall protocol version 1");
    return;
  }
  name_ = hello.name;
  const ViewKey key = clamp_view({hello.cols, hello.rows, hello.render, hello.color});
  view_.store(key.packed(), std::memory_order_release);
  if (room_.join(shared_from_this()) == 0) {
    close_with_bye(net::ByeReason::kServerFull, "the call is full");
    return;
  }
  joined_.store(true, std::memory_order_release);
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
  const size_t at = (audio_in_head_ + audio_in_count_) % kAudioInFrames;
  audio_in_[at] = decoded_audio_;
  audio_in_capture_[at] = capture_us;
  if (audio_in_count_ < kAudioInFrames) {
    ++audio_in_count_;
  } else {
    audio_in_head_ = (audio_in_head_ + 1) % kAudioInFrames;  // full: the oldest goes
  }
}

bool Session::pop_audio(std::span<float> out, uint64_t& capture_us) {
  std::lock_guard lock(audio_in_mutex_);
  if (audio_in_count_ == 0) {
    audio_backlog_ticks_ = 0;
    return false;
  }
  // The mixer takes one frame per tick and the client sends one per 20 ms, so a backlog
  // left by a stall would stay for the rest of the call. When frames have been waiting for
  // half a second, skip one: a brief glitch instead of a lasting delay.
  if (audio_in_count_ > 1) {
    if (++audio_backlog_ticks_ >= kAudioBacklogTicks) {
      audio_in_head_ = (audio_in_head_ + 1) % kAudioInFrames;
      --audio_in_count_;
      audio_backlog_ticks_ = 0;
    }
  } else {
    audio_backlog_ticks_ = 0;
  }
  std::copy(audio_in_[audio_in_head_].begin(), audio_in_[audio_in_head_].end(), out.begin());
  capture_us = audio_in_capture_[audio_in_head_];
  audio_in_head_ = (audio_in_head_ + 1) % kAudioInFrames;
  --audio_in_count_;
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
  {
    std::lock_guard lock(out_mutex_);
    if (mailbox_) context_.counters.frames_dropped.fetch_add(1, std::memory_order_relaxed);
    mailbox_ = packet;  // newest wins; the replaced frame goes back to its pool
  }
  wake_writer();
}

bool Session::send_control(std::span<const uint8_t> packet) {
  if (packet.size() > kControlSlotBytes) return false;
  {
    std::lock_guard lock(out_mutex_);
    if (control_count_ == kControlSlots) return false;  // client not reading: drop
    ControlSlot& slot = control_[(control_head_ + control_count_) % kControlSlots];
    std::copy(packet.begin(), packet.end(), slot.bytes.begin());
    slot.size = static_cast<uint16_t>(packet.size());
    ++control_count_;
  }
  wake_writer();
  return true;
}

bool Session::send_audio(std::span<const uint8_t> packet) {
  if (packet.size() > kAudioOutBytes) return false;
  {
    std::lock_guard lock(out_mutex_);
    if (close_after_flush_) return false;
    if (audio_out_count_ == kAudioOutSlots) {  // not reading: the oldest packet goes
      audio_out_head_ = (audio_out_head_ + 1) % kAudioOutSlots;
      --audio_out_count_;
    }
    AudioOutSlot& slot = audio_out_[(audio_out_head_ + audio_out_count_) % kAudioOutSlots];
    std::copy(packet.begin(), packet.end(), slot.bytes.begin());
    slot.size = static_cast<uint16_t>(packet.size());
    ++audio_out_count_;
  }
  wake_writer();
  return true;
}

void Session::wake_writer() {
  if (closed_.load(std::memory_order_acquire)) return;
  if (wake_pending_.exchange(true, std::memory_order_acq_rel)) return;
  asio::post(socket_.get_executor(), bound([self = shared_from_this()] {
               self->wake_pending_.store(false, std::memory_order_release);
               if (!self->writing_) self->start_write();
             }));
}

void Session::start_write() {
  if (closed_.load()) return;
  bool have_control = false;
  bool closing = false;
  {
    std::lock_guard lock(out_mutex_);
    closing = close_after_flush_;
    if (control_count_ > 0) {
      const ControlSlot& slot = control_[control_head_];
      write_control_.size = slot.size;
      std::copy_n(slot.bytes.begin(), slot.size, write_control_.bytes.begin());
      control_head_ = (control_head_ + 1) % kControlSlots;
      --control_count_;
      have_control = true;
    } else if (audio_out_count_ > 0 && !close_after_flush_) {
      const AudioOutSlot& slot = audio_out_[audio_out_head_];
      write_control_.size = slot.size;
      std::copy_n(slot.bytes.begin(), slot.size, write_control_.bytes.begin());
      audio_out_head_ = (audio_out_head_ + 1) % kAudioOutSlots;
      --audio_out_count_;
      have_control = true;
    } else if (mailbox_ && !close_after_flush_) {
      write_video_ = std::move(mailbox_);
    }
  }
  if (!have_control && !write_video_) {
    writing_ = false;
    if (closing) shutdown_socket("closed after final message");
    return;
  }
  writing_ = true;
  write_started_ = std::chrono::steady_clock::now();
  const asio::const_buffer buffer =
      have_control ? asio::buffer(write_control_.bytes.data(), write_control_.size)
                   : asio::buffer(write_video_.data(), write_video_.size());
  asio::async_write(socket_, buffer,
                    bound([self = shared_from_this()](const asio::error_code& ec, size_t) {
                      self->on_written(ec);
                    }));
}

void Session::on_written(const asio::error_code& ec) {
  if (write_video_) {
    if (!ec) context_.counters.frames_sent.fetch_add(1, std::memory_order_relaxed);
    write_video_.reset();
  }
  writing_ = false;
  if (ec) {
    shutdown_socket(ec.message());
    return;
  }
  start_write();
}

// ---- Closing ----

void Session::close(std::string_view reason) {
  asio::post(socket_.get_executor(),
             bound([self = shared_from_this(), reason] { self->shutdown_socket(reason); }));
}

void Session::close_with_bye(net::ByeReason reason, std::string_view text) {
  std::array<uint8_t, net::kHeaderSize + 128> packet;
  const size_t n = net::build_packet(net::MsgType::kBye, net::Bye::make(reason, text), packet);
  {
    std::lock_guard lock(out_mutex_);
    close_after_flush_ = true;
    mailbox_.reset();
  }
  if (n == 0 || !send_control({packet.data(), n})) {
    close(text);
    return;
  }
}

void Session::shutdown_socket(std::string_view reason) {
  if (closed_.exchange(true)) return;
  if (joined()) spdlog::info("{} (participant {}) left: {}", name_.view(), id_, reason);
  asio::error_code ignored;
  watchdog_timer_.cancel();
  socket_.shutdown(asio::socket_base::shutdown_both, ignored);
  socket_.close(ignored);
  room_.leave(*this);
  {
    std::lock_guard lock(out_mutex_);
    mailbox_.reset();
    control_count_ = 0;
    audio_out_count_ = 0;
  }
  std::lock_guard lock(video_mutex_);
  latest_ = VideoFrame{};
}

}  // namespace ttycall::server
