#pragma once
// One TCP connection carrying ttycall packets, the same at both ends: the read loop
// (header, limits, payload buffer, CRC, open: packet_reader.h) and the writer (the send
// queues and their drop rules: send_queues.h, sealing each packet as it is taken so
// nonces follow the order on the wire). The server's Session and the client each own one
// and see only whole, opened packets.
//
// Threading: the connection lives on one io_context that a single thread runs; its read
// and write state is touched only there. The send_* methods and offer_video() may be
// called from any thread: they queue, then wake the writer on the io thread. Handlers use
// the connection's own handler memory, so a steady stream of packets does not allocate.
#include <asio.hpp>
#include <atomic>
#include <chrono>
#include <cstdint>
#include <memory>
#include <span>
#include <string_view>
#include <vector>

#include "core/buffer_pool.h"
#include "core/handler_memory.h"
#include "net/packet_reader.h"
#include "net/protocol.h"
#include "net/secure_channel.h"
#include "net/send_queues.h"

namespace ttycall::net {

// Concrete executor types (not any_io_executor): type erasure would drop the handlers'
// allocator and send completions through Asio's heap-backed recycling allocator.
using Executor = asio::io_context::executor_type;
using Socket = asio::basic_stream_socket<asio::ip::tcp, Executor>;
using Timer = asio::basic_waitable_timer<std::chrono::steady_clock,
                                         asio::wait_traits<std::chrono::steady_clock>, Executor>;

class Connection {
 public:
  // What the connection tells the session or client that owns it (on the io thread).
  class Owner {
   public:
    // A header passed the format's checks; false refuses the packet (the owner has acted:
    // closed, or said Bye), and nothing more is read until the owner reads again.
    virtual bool accept_header(const Header& header) = 0;
    // Where a video packet's payload goes (at least header.length bytes); empty refuses it.
    virtual std::span<uint8_t> video_payload_buffer(const Header& header) = 0;
    // A whole packet, checked and opened. Reading goes on afterwards unless the owner shut
    // the connection down.
    virtual void on_packet(const Header& header, std::span<const uint8_t> payload) = 0;
    // Reading stopped: `failure` says why, `detail` is the socket's error text if any.
    virtual void on_read_failed(ReadFailure failure, std::string_view detail) = 0;
    virtual void on_write_failed(std::string_view why) = 0;
    // After close_after_flush(): everything queued before it has been written.
    virtual void on_flushed() {}
    virtual void on_video_written() {}
    // Holds the owner alive while a handler runs (the server's sessions are shared).
    virtual std::shared_ptr<void> keep_alive() { return nullptr; }

   protected:
    ~Owner() = default;
  };

  Connection(Socket socket, Owner& owner);
  ~Connection();
  Connection(const Connection&) = delete;
  Connection& operator=(const Connection&) = delete;

  Socket& socket() { return socket_; }
  SecureChannel& channel() { return channel_; }
  // Starts the read loop; it goes on until a read fails, a header is refused, or shut_down().
  void read_next();

  // Queueing, from any thread. False when the packet was refused (see SendQueues).
  bool send_control(std::span<const uint8_t> packet, Sealing sealing = Sealing::kSealed);
  bool send_audio(std::span<const uint8_t> packet);
  // True when it replaced a frame that had not gone out yet.
  bool offer_video(const core::PooledBuffer& packet);
  bool video_waiting() const { return queues_.video_waiting(); }
  // Writes what control is queued, then calls Owner::on_flushed(); audio and video stop,
  // and so does reading: nothing the peer sends after this is handled.
  void close_after_flush();

  // Writes `packet` (sealed if the channel is on) at once without waiting, if no write is
  // in flight: a last word on a connection that may be stuck. Best effort.
  void write_now(std::span<uint8_t> packet, size_t size);

  // True while a write is in flight; `since` then says when it began.
  bool writing_since(std::chrono::steady_clock::time_point& since) const;

  // Closes the socket and drops every queued packet; pending handlers then do nothing.
  // On the io thread. Afterwards the socket may be connected again (the client's retry),
  // with reset() to start afresh.
  void shut_down();
  bool is_shut_down() const { return shut_down_.load(std::memory_order_acquire); }
  // A fresh start on the same socket object: plain channel, empty queues.
  void reset();

 private:
  template <class F>
  auto bound(F&& handler) {
    return asio::bind_allocator(core::HandlerAllocator<int>(handler_memory_),
                                std::forward<F>(handler));
  }
  void on_header(const asio::error_code& ec, uint64_t generation);
  void on_payload(const asio::error_code& ec, std::span<uint8_t> target, uint64_t generation);
  void deliver(std::span<uint8_t> wire_payload);
  void wake_writer();
  void start_write();
  // True when the socket polls writable (or has failed): the kernel wants more bytes.
  bool socket_wants_more();
  // Waits (as a write in flight) until the socket is writable, then writes again.
  void wait_for_room();
  asio::const_buffer seal_video(core::PooledBuffer& packet);
  void on_written(const asio::error_code& ec, uint64_t generation);
  // Closes the socket and forgets every pending read, write and queued packet.
  void abandon_socket();

  Socket socket_;
  Owner& owner_;
  core::HandlerMemory handler_memory_;
  SecureChannel channel_;
  PacketReader reader_{channel_};
  SendQueues queues_;
  // Bumped by reset() and shut_down(): handlers of an earlier connection see a new value
  // and do nothing.
  std::atomic<uint64_t> generation_{0};
  std::atomic<bool> shut_down_{false};
  std::atomic<bool> reading_stopped_{false};  // by close_after_flush() (any thread), until reset()
  std::atomic<bool> wake_pending_{false};
  bool writing_ = false;
  bool writing_video_ = false;
  bool flushed_ = false;
  std::chrono::steady_clock::time_point write_started_{};
  // The control or audio packet being written, with room for its seal.
  std::array<uint8_t, kMaxControlPacket> write_small_{};
  // A video packet is shared by every viewer of its view, so each connection seals a copy
  // here. Sized to the packet's pool class, it grows only when a larger class first comes.
  std::vector<uint8_t> sealed_video_;
  core::PooledBuffer write_video_;  // unsealed: written straight from the pool
};

}  // namespace ttycall::net
