#pragma once
// A slow link for tests: a TCP proxy on 127.0.0.1 that forwards each connection it accepts
// to a target port, the downstream direction (target -> client) through a bottleneck of a
// given bit rate, a small queue and a one-way delay; upstream only delayed.
//
// The bottleneck is modelled as a router's would be: bytes read from the target enter a
// queue of `queue_bytes`, leave it at `downstream_bits_per_s`, and reach the client
// `one_way_delay` later. The proxy reads from the target only while the queue has room, and
// its socket to the target has a small receive buffer (set before connect, so the window
// it announces is small from the start): the target's kernel sees its bytes in flight stall
// and its send queue fill, as behind a real slow link.
//
// One thread (poll), its own; everything it holds is bounded (the queues, the bytes in the
// delay lines, `max_connections`). The destructor stops it and closes every socket.
#include <atomic>
#include <chrono>
#include <cstdint>
#include <thread>

namespace ttycall::itest {

struct LinkShape {
  double downstream_bits_per_s = 1e6;
  std::chrono::milliseconds one_way_delay{30};  // both directions
  // The bottleneck's queue: what the proxy holds before sending on (one packet), and its
  // socket's receive buffer towards the target (the kernel makes 1 KiB 2.3 KiB, about half
  // of it window). Both are queue in front of the link, and at 300 kbit/s each KiB is
  // 27 ms: together about 70 ms.
  int queue_bytes = 1448;
  int receive_buffer_bytes = 1024;
  int max_connections = 8;
};

class RateLimitedProxy {
 public:
  // Listens on a free loopback port (bound to port 0, then read back) and starts the thread.
  // Throws std::runtime_error if it cannot listen.
  RateLimitedProxy(uint16_t target_port, LinkShape shape);
  ~RateLimitedProxy();
  RateLimitedProxy(const RateLimitedProxy&) = delete;
  RateLimitedProxy& operator=(const RateLimitedProxy&) = delete;

  uint16_t port() const { return port_; }
  // Connections accepted so far, and bytes delivered to clients (downstream).
  int connections() const { return connections_.load(); }
  uint64_t bytes_down() const { return bytes_down_.load(); }

 private:
  void run();

  LinkShape shape_;
  uint16_t target_port_;
  uint16_t port_ = 0;
  int listen_fd_ = -1;
  int wake_fd_ = -1;  // an eventfd: the destructor wakes the thread through it
  std::atomic<bool> stop_{false};
  std::atomic<int> connections_{0};
  std::atomic<uint64_t> bytes_down_{0};
  std::thread thread_;
};

}  // namespace ttycall::itest
