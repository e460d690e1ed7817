#include "rate_limited_proxy.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <deque>
#include <memory>
#include <stdexcept>
#include <string>
#include <vector>

namespace ttycall::itest {
namespace {

using Clock = std::chrono::steady_clock;

// Reads towards the bottleneck come in packets of about this size.
constexpr size_t kPacketBytes = 1448;
// Upstream has no rate limit; what its delay line may hold before the proxy stops reading.
constexpr size_t kMaxUpstreamLineBytes = 1 << 20;

sockaddr_in loopback(uint16_t port) {
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = htons(port);
  return addr;
}

void set_non_blocking(int fd) {
  ::fcntl(fd, F_SETFL, ::fcntl(fd, F_GETFL) | O_NONBLOCK);
}

// Bytes read, waiting in the delay line until `due`.
struct Chunk {
  Clock::time_point due;
  std::vector<uint8_t> bytes;
  size_t sent = 0;
};

// One direction of one connection.
struct Direction {
  int from = -1;
  int to = -1;
  bool limited = false;  // downstream: through the bottleneck
  std::deque<Chunk> line;
  size_t line_bytes = 0;
  Clock::time_point link_free_at{};  // when the bottleneck has sent all it was given
  bool eof = false;                  // `from` said end of stream
  bool shut = false;                 // and `to` has been shut for writing since
};

struct Link {
  int client = -1;
  int target = -1;
  Direction down;  // target -> client
  Direction up;    // client -> target
  bool failed = false;

  ~Link() {
    if (client >= 0) ::close(client);
    if (target >= 0) ::close(target);
  }
  bool done() const { return failed || (down.shut && up.shut); }
};

class Bottleneck {
 public:
  explicit Bottleneck(const LinkShape& shape)
      : bytes_per_s_(shape.downstream_bits_per_s / 8), queue_bytes_(shape.queue_bytes) {}

  // Bytes still queued at the bottleneck at `now` (not yet sent on at the link's rate).
  double backlog(const Direction& d, Clock::time_point now) const {
    if (d.link_free_at <= now) return 0;
    return std::chrono::duration<double>(d.link_free_at - now).count() * bytes_per_s_;
  }
  size_t room(const Direction& d, Clock::time_point now) const {
    const double free = double(queue_bytes_) - backlog(d, now);
    return free <= 0 ? 0 : std::min(kPacketBytes, size_t(free));
  }
  // When room() is next above zero.
  Clock::time_point room_at(const Direction& d) const {
    return d.link_free_at - std::chrono::duration_cast<Clock::duration>(
                                std::chrono::duration<double>(queue_bytes_ / bytes_per_s_));
  }
  // `n` bytes enter the queue at `now`; returns when their last byte has left it.
  Clock::time_point enqueue(Direction& d, size_t n, Clock::time_point now) const {
    const Clock::time_point start = std::max(now, d.link_free_at);
    d.link_free_at = start + std::chrono::duration_cast<Clock::duration>(
                                 std::chrono::duration<double>(double(n) / bytes_per_s_));
    return d.link_free_at;
  }

 private:
  double bytes_per_s_;
  int queue_bytes_;
};

}  // namespace

RateLimitedProxy::RateLimitedProxy(uint16_t target_port, LinkShape shape)
    : shape_(shape), target_port_(target_port) {
  listen_fd_ = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
  wake_fd_ = ::eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
  sockaddr_in addr = loopback(0);
  socklen_t len = sizeof addr;
  if (listen_fd_ < 0 || wake_fd_ < 0 ||
      ::bind(listen_fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0 ||
      ::listen(listen_fd_, 16) != 0 ||
      ::getsockname(listen_fd_, reinterpret_cast<sockaddr*>(&addr), &len) != 0) {
    const std::string error = std::strerror(errno);
    if (listen_fd_ >= 0) ::close(listen_fd_);
    if (wake_fd_ >= 0) ::close(wake_fd_);
    throw std::runtime_error("rate-limited proxy cannot listen: " + error);
  }
  port_ = ntohs(addr.sin_port);
  thread_ = std::thread([this] { run(); });
}

RateLimitedProxy::~RateLimitedProxy() {
  stop_.store(true);
  const uint64_t one = 1;
  [[maybe_unused]] const ssize_t n = ::write(wake_fd_, &one, sizeof one);
  thread_.join();
  ::close(listen_fd_);
  ::close(wake_fd_);
}

void RateLimitedProxy::run() {
  const Bottleneck bottleneck(shape_);
  std::vector<std::unique_ptr<Link>> links;
  std::vector<pollfd> fds;
  std::vector<uint8_t> buffer(64 * 1024);

  auto accept_one = [&] {
    const int client = ::accept4(listen_fd_, nullptr, nullptr, SOCK_CLOEXEC | SOCK_NONBLOCK);
    if (client < 0) return;
    auto link = std::make_unique<Link>();
    link->client = client;
    link->target = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (link->target < 0) return;
    // Small before connect: the window announced in the handshake is small already.
    ::setsockopt(link->target, SOL_SOCKET, SO_RCVBUF, &shape_.receive_buffer_bytes,
                 sizeof shape_.receive_buffer_bytes);
    const int one = 1;
    ::setsockopt(link->target, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    ::setsockopt(client, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    const sockaddr_in to = loopback(target_port_);
    if (::connect(link->target, reinterpret_cast<const sockaddr*>(&to), sizeof to) != 0) return;
    set_non_blocking(link->target);
    link->down = {link->target, link->client, true, {}, 0, {}, false, false};
    link->up = {link->client, link->target, false, {}, 0, {}, false, false};
    links.push_back(std::move(link));
    connections_.fetch_add(1);
  };

  auto can_read = [&](const Direction& d, Clock::time_point now) {
    if (d.eof) return false;
    return d.limited ? bottleneck.room(d, now) > 0 : d.line_bytes < kMaxUpstreamLineBytes;
  };

  auto read_into = [&](Link& link, Direction& d, Clock::time_point now) {
    while (can_read(d, now)) {
      const size_t want = d.limited ? bottleneck.room(d, now) : buffer.size();
      const ssize_t n = ::recv(d.from, buffer.data(), want, 0);
      if (n == 0) {
        d.eof = true;
        return;
      }
      if (n < 0) {
        if (errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR) link.failed = true;
        return;
      }
      const Clock::time_point sent = d.limited ? bottleneck.enqueue(d, size_t(n), now) : now;
      d.line.push_back({sent + shape_.one_way_delay, {buffer.begin(), buffer.begin() + n}, 0});
      d.line_bytes += size_t(n);
    }
  };

  // Delivers what is due; true if a write would block with bytes due.
  auto deliver = [&](Link& link, Direction& d, Clock::time_point now) {
    while (!d.line.empty() && d.line.front().due <= now) {
      Chunk& c = d.line.front();
      const ssize_t n =
          ::send(d.to, c.bytes.data() + c.sent, c.bytes.size() - c.sent, MSG_NOSIGNAL);
      if (n < 0) {
        if (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR) return true;
        link.failed = true;
        return false;
      }
      c.sent += size_t(n);
      d.line_bytes -= size_t(n);
      if (d.limited) bytes_down_.fetch_add(uint64_t(n));
      if (c.sent == c.bytes.size()) d.line.pop_front();
    }
    if (d.line.empty() && d.eof && !d.shut) {
      ::shutdown(d.to, SHUT_WR);
      d.shut = true;
    }
    return false;
  };

  while (!stop_.load()) {
    Clock::time_point now = Clock::now();
    Clock::time_point next = now + std::chrono::milliseconds(100);
    fds.clear();
    fds.push_back({wake_fd_, POLLIN, 0});
    fds.push_back({listen_fd_, short(int(links.size()) < shape_.max_connections ? POLLIN : 0), 0});
    for (auto& link : links) {
      for (Direction* d : {&link->down, &link->up}) {
        const bool blocked = deliver(*link, *d, now);
        short events = 0;
        if (can_read(*d, now)) events |= POLLIN;
        fds.push_back({d->from, events, 0});
        fds.push_back({d->to, short(blocked ? POLLOUT : 0), 0});
        if (!blocked && !d->line.empty()) next = std::min(next, d->line.front().due);
        if (d->limited && !d->eof && bottleneck.room(*d, now) == 0) {
          next = std::min(next, bottleneck.room_at(*d));
        }
      }
    }
    const auto wait = std::chrono::ceil<std::chrono::milliseconds>(next - now);
    ::poll(fds.data(), fds.size(), int(std::max<int64_t>(0, wait.count())));
    if (stop_.load()) break;
    now = Clock::now();
    if (fds[1].revents & POLLIN) accept_one();
    size_t at = 2;
    for (auto& link : links) {
      for (Direction* d : {&link->down, &link->up}) {
        if (at < fds.size() && fds[at].revents != 0) read_into(*link, *d, now);
        at += 2;
      }
    }
    std::erase_if(links, [](const std::unique_ptr<Link>& link) { return link->done(); });
  }
  links.clear();  // closes every socket
}

}  // namespace ttycall::itest
