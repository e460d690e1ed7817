#include "net/connection.h"

#include <poll.h>

#include <algorithm>

#include "core/alloc_accounting.h"

namespace ttycall::net {
namespace {

const core::AllocSite& seal_site() {
  static const core::AllocSite site("connection.seal");
  return site;
}

}  // namespace

Connection::Connection(Socket socket, Owner& owner) : socket_(std::move(socket)), owner_(owner) {}

Connection::~Connection() = default;

// ---- Reading ----

void Connection::read_next() {
  if (is_shut_down() || reading_stopped_.load(std::memory_order_acquire)) return;
  asio::async_read(socket_, asio::buffer(reader_.header_bytes().data(), kHeaderSize),
                   bound([this, keep = owner_.keep_alive(), generation = generation_.load()](
                             const asio::error_code& ec, size_t) { on_header(ec, generation); }));
}

void Connection::on_header(const asio::error_code& ec, uint64_t generation) {
  if (generation != generation_.load() || is_shut_down()) return;
  if (ec) {
    owner_.on_read_failed(ReadFailure::kClosed, ec == asio::error::eof ? "" : ec.message());
    return;
  }
  ReadFailure failure{};
  if (!reader_.check_header(failure)) {
    owner_.on_read_failed(failure, reader_.describe(failure));
    return;
  }
  const Header& header = reader_.header();
  if (!owner_.accept_header(header)) return;
  const std::span<uint8_t> target =
      is_video(header.type) ? owner_.video_payload_buffer(header) : reader_.own_payload_buffer();
  if (target.size() < header.length) {
    owner_.on_read_failed(ReadFailure::kNoPayloadBuffer,
                          reader_.describe(ReadFailure::kNoPayloadBuffer));
    return;
  }
  if (header.length == 0) {
    deliver({target.data(), 0});
    return;
  }
  const std::span<uint8_t> payload = target.first(header.length);
  asio::async_read(
      socket_, asio::buffer(payload.data(), payload.size()),
      bound([this, payload, keep = owner_.keep_alive(), generation](
                const asio::error_code& ec, size_t) { on_payload(ec, payload, generation); }));
}

void Connection::on_payload(const asio::error_code& ec, std::span<uint8_t> target,
                            uint64_t generation) {
  if (generation != generation_.load() || is_shut_down()) return;
  if (ec) {
    owner_.on_read_failed(ReadFailure::kTruncated,
                          ec == asio::error::eof ? "disconnected mid-packet" : ec.message());
    return;
  }
  deliver(target);
}

void Connection::deliver(std::span<uint8_t> wire_payload) {
  std::span<const uint8_t> payload;
  ReadFailure failure{};
  if (!reader_.open_payload(wire_payload, payload, failure)) {
    owner_.on_read_failed(failure, reader_.describe(failure));
    return;
  }
  const uint64_t generation = generation_.load();
  owner_.on_packet(reader_.header(), payload);
  if (generation == generation_.load()) read_next();  // unless on_packet closed it
}

// ---- Queueing ----

bool Connection::send_control(std::span<const uint8_t> packet, Sealing sealing) {
  if (is_shut_down() || !queues_.push_control(packet, sealing)) return false;
  wake_writer();
  return true;
}

bool Connection::send_audio(std::span<const uint8_t> packet) {
  if (is_shut_down() || !queues_.push_audio(packet)) return false;
  wake_writer();
  return true;
}

bool Connection::offer_video(const core::PooledBuffer& packet) {
  if (is_shut_down()) return false;
  const bool replaced = queues_.offer_video(packet);
  wake_writer();
  return replaced;
}

void Connection::close_after_flush() {
  reading_stopped_.store(true, std::memory_order_release);
  queues_.close_after_flush();
  wake_writer();
}

void Connection::wake_writer() {
  // Always through the io queue, even from the io thread: the caller may hold a lock (the
  // room's) that the owner's callbacks take again.
  if (is_shut_down()) return;
  if (wake_pending_.exchange(true, std::memory_order_acq_rel)) return;
  asio::post(socket_.get_executor(),
             bound([this, keep = owner_.keep_alive(), generation = generation_.load()] {
               wake_pending_.store(false, std::memory_order_release);
               if (generation == generation_.load()) start_write();
             }));
}

// ---- Writing ----

void Connection::start_write() {
  if (writing_ || is_shut_down()) return;
  // The mailbox's frame is taken only when the kernel asks for more (the socket polls
  // writable), not as soon as the last write was accepted: with TCP_NOTSENT_LOWAT on the
  // socket (the server's sessions) that means the unsent bytes are down to half the mark,
  // and until then newer frames go on replacing the waiting one in its slot. Control and
  // audio already queued go meanwhile; what comes during the wait goes after it.
  const bool video_allowed = !queues_.video_waiting() || socket_wants_more();
  SendQueues::Taken next = queues_.take(write_small_, video_allowed);
  asio::const_buffer buffer;
  switch (next.kind) {
    case SendQueues::Kind::kNone:
      if (queues_.closing()) {
        if (!flushed_) {
          flushed_ = true;
          owner_.on_flushed();
        }
        return;
      }
      if (!video_allowed) wait_for_room();
      return;
    case SendQueues::Kind::kControl:
    case SendQueues::Kind::kAudio: {
      size_t size = next.size;
      if (channel_.enabled() && next.sealing == Sealing::kSealed) {
        size = channel_.seal(write_small_, size);
      }
      buffer = asio::buffer(write_small_.data(), size);
      break;
    }
    case SendQueues::Kind::kVideo:
      buffer = seal_video(next.video);
      break;
  }
  writing_ = true;
  writing_video_ = next.kind == SendQueues::Kind::kVideo;
  write_started_ = std::chrono::steady_clock::now();
  asio::async_write(socket_, buffer,
                    bound([this, keep = owner_.keep_alive(), generation = generation_.load()](
                              const asio::error_code& ec, size_t) { on_written(ec, generation); }));
}

bool Connection::socket_wants_more() {
  pollfd p{socket_.native_handle(), POLLOUT, 0};
  if (::poll(&p, 1, 0) != 1) return false;
  // An error or hang-up: let the write find it and report it.
  return (p.revents & (POLLOUT | POLLERR | POLLHUP)) != 0;
}

void Connection::wait_for_room() {
  // Counts as a write in flight: a peer that never drains it is stuck (writing_since()).
  writing_ = true;
  write_started_ = std::chrono::steady_clock::now();
  socket_.async_wait(Socket::wait_write,
                     bound([this, keep = owner_.keep_alive(),
                            generation = generation_.load()](const asio::error_code& ec) {
                       if (generation != generation_.load()) return;
                       writing_ = false;
                       if (is_shut_down()) return;
                       if (ec) {
                         owner_.on_write_failed(ec.message());
                         return;
                       }
                       start_write();
                     }));
}

asio::const_buffer Connection::seal_video(core::PooledBuffer& packet) {
  if (!channel_.enabled()) {
    write_video_ = std::move(packet);
    return asio::buffer(write_video_.data(), write_video_.size());
  }
  const size_t needed = packet.size() + kSealOverhead;
  if (sealed_video_.size() < needed) {
    core::ScopedAllocSite site(seal_site());
    sealed_video_.resize(std::max(needed, packet.capacity() + kSealOverhead));
  }
  const size_t n = channel_.seal_to(packet.bytes(), sealed_video_);
  packet.reset();  // sealed: the shared packet can go back to its pool now
  return asio::buffer(sealed_video_.data(), n);
}

void Connection::on_written(const asio::error_code& ec, uint64_t generation) {
  if (generation != generation_.load()) return;
  writing_ = false;
  write_video_.reset();
  if (writing_video_ && !ec) owner_.on_video_written();
  writing_video_ = false;
  if (is_shut_down()) return;
  if (ec) {
    owner_.on_write_failed(ec.message());
    return;
  }
  start_write();
}

void Connection::write_now(std::span<uint8_t> packet, size_t size) {
  if (writing_ || is_shut_down() || size == 0) return;
  if (channel_.enabled()) size = channel_.seal(packet, size);
  if (size == 0) return;
  asio::error_code ignored;
  socket_.non_blocking(true, ignored);
  socket_.write_some(asio::buffer(packet.data(), size), ignored);
}

bool Connection::writing_since(std::chrono::steady_clock::time_point& since) const {
  if (!writing_) return false;
  since = write_started_;
  return true;
}

// ---- Closing ----

void Connection::shut_down() {
  if (shut_down_.exchange(true, std::memory_order_acq_rel)) return;
  asio::error_code ignored;
  socket_.shutdown(asio::socket_base::shutdown_both, ignored);
  abandon_socket();
}

void Connection::reset() {
  abandon_socket();
  channel_.reset();
  flushed_ = false;
  reading_stopped_.store(false, std::memory_order_release);
  shut_down_.store(false, std::memory_order_release);
}

void Connection::abandon_socket() {
  generation_.fetch_add(1);  // handlers still pending on the socket now do nothing
  asio::error_code ignored;
  socket_.close(ignored);
  queues_.clear();
  write_video_.reset();
  writing_ = false;
  writing_video_ = false;
}

}  // namespace ttycall::net
