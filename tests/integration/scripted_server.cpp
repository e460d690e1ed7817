#include "scripted_server.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <cstring>
#include <stdexcept>
#include <string>

#include "wait_until.h"

namespace ttycall::itest {

using Clock = std::chrono::steady_clock;
using namespace std::chrono_literals;

namespace {

constexpr auto kPollStep = 20ms;  // how soon stop() is noticed

int poll_ms(Clock::time_point until) {
  const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(until - Clock::now());
  return int(std::clamp<int64_t>(left.count(), 0, kPollStep.count()));
}

}  // namespace

net::Name raw_name(std::string_view bytes) {
  net::Name name;
  name.len = uint8_t(std::min(bytes.size(), name.bytes.size()));
  std::copy_n(bytes.begin(), name.len, name.bytes.begin());
  return name;
}

ScriptedServer::ScriptedServer(ServerScript script) : script_(std::move(script)) {
  listen_fd_ = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (listen_fd_ < 0) throw std::runtime_error(std::string("socket: ") + std::strerror(errno));
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = 0;  // as unused_loopback_port() does, but kept open: no race for the port
  socklen_t len = sizeof addr;
  if (::bind(listen_fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0 ||
      ::listen(listen_fd_, 1) != 0 ||
      ::getsockname(listen_fd_, reinterpret_cast<sockaddr*>(&addr), &len) != 0) {
    const std::string error = std::strerror(errno);
    ::close(listen_fd_);
    throw std::runtime_error("scripted server cannot listen: " + error);
  }
  port_ = ntohs(addr.sin_port);
  thread_ = std::thread([this] { run(); });
}

ScriptedServer::~ScriptedServer() {
  stop();
}

void ScriptedServer::stop() {
  stopping_.store(true);
  if (thread_.joinable()) thread_.join();
  if (listen_fd_ >= 0) {
    ::close(listen_fd_);
    listen_fd_ = -1;
  }
}

bool ScriptedServer::wait_joined(std::chrono::milliseconds timeout) const {
  return wait_until([this] { return joined_.load(); }, timeout);
}

bool ScriptedServer::send_packet(std::span<const uint8_t> packet) {
  std::lock_guard lock(write_mutex_);
  if (client_fd_ < 0 || gone_.load()) return false;
  size_t sent = 0;
  while (sent < packet.size()) {
    // A send timeout (SO_SNDTIMEO) bounds this if the client stops reading.
    const ssize_t n = ::send(client_fd_, packet.data() + sent, packet.size() - sent, MSG_NOSIGNAL);
    if (n <= 0) return false;
    sent += size_t(n);
  }
  return true;
}

bool ScriptedServer::accept_client(Clock::time_point deadline) {
  while (!stopping_.load() && Clock::now() < deadline) {
    pollfd p{listen_fd_, POLLIN, 0};
    if (::poll(&p, 1, poll_ms(deadline)) <= 0) continue;
    const int fd = ::accept4(listen_fd_, nullptr, nullptr, SOCK_CLOEXEC);
    if (fd < 0) continue;
    timeval send_timeout{3, 0};
    ::setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &send_timeout, sizeof send_timeout);
    std::lock_guard lock(write_mutex_);
    client_fd_ = fd;
    return true;
  }
  return false;
}

void ScriptedServer::close_client() {
  std::lock_guard lock(write_mutex_);
  if (client_fd_ >= 0) {
    ::shutdown(client_fd_, SHUT_RDWR);
    ::close(client_fd_);
    client_fd_ = -1;
  }
  gone_.store(true);
}

void ScriptedServer::run() {
  const auto deadline = Clock::now() + script_.lifetime;
  if (!accept_client(deadline)) {
    gone_.store(true);
    return;
  }
  std::vector<uint8_t> in;  // bytes read and not yet a whole packet
  std::array<uint8_t, 64 * 1024> chunk;
  auto next_ping = Clock::now() + script_.ping_interval;
  while (!stopping_.load() && !gone_.load() && Clock::now() < deadline) {
    if (joined_.load() && Clock::now() >= next_ping) {
      const uint64_t now_us = uint64_t(std::chrono::duration_cast<std::chrono::microseconds>(
                                           std::chrono::system_clock::now().time_since_epoch())
                                           .count());
      send_message(net::MsgType::kPing, net::Ping{now_us});
      next_ping = Clock::now() + script_.ping_interval;
    }
    pollfd p{client_fd_, POLLIN, 0};
    if (::poll(&p, 1, poll_ms(std::min(deadline, next_ping))) <= 0) continue;
    const ssize_t n = ::recv(client_fd_, chunk.data(), chunk.size(), 0);
    if (n <= 0) break;  // the client closed (or reset) its side
    in.insert(in.end(), chunk.begin(), chunk.begin() + n);
    // Every whole packet in `in`; a header that does not parse ends the connection.
    size_t used = 0;
    while (in.size() - used >= net::kHeaderSize) {
      net::Header header;
      const std::span<const uint8_t, net::kHeaderSize> head(in.data() + used, net::kHeaderSize);
      if (net::parse_header(head, header) != net::HeaderError::kOk) {
        used = in.size();
        gone_.store(true);
        break;
      }
      if (in.size() - used < net::kHeaderSize + header.length) break;
      on_packet(header, {in.data() + used + net::kHeaderSize, header.length});
      used += net::kHeaderSize + header.length;
    }
    in.erase(in.begin(), in.begin() + ptrdiff_t(used));
  }
  if (!gone_.load()) send_message(net::MsgType::kBye, net::Bye::make(net::ByeReason::kNormal, ""));
  close_client();
}

void ScriptedServer::on_packet(const net::Header& header, std::span<const uint8_t> payload) {
  if (script_.refuse_with) {
    if (!heard_.exchange(true)) send_message(net::MsgType::kBye, *script_.refuse_with);
    return;
  }
  heard_.store(true);
  switch (header.type) {
    case net::MsgType::kHello: {
      net::Hello hello;
      if (joined_.load() || !net::decode(payload, hello)) return;
      send_message(net::MsgType::kWelcome, script_.welcome);
      for (const net::Participants& list : script_.participant_lists) {
        send_message(net::MsgType::kParticipants, list);
      }
      joined_.store(true);
      if (script_.after_join) script_.after_join(*this);
      return;
    }
    case net::MsgType::kPing: {
      net::Ping ping;
      if (net::decode(payload, ping)) send_message(net::MsgType::kPong, ping);
      return;
    }
    case net::MsgType::kPong:
      ++pongs_;
      return;
    case net::MsgType::kBye:
      said_bye_.store(true);
      return;
    case net::MsgType::kVideoUp: {
      net::VideoUpHeader up;
      std::span<const uint8_t> jpeg;
      if (!net::decode(payload, up, jpeg)) return;
      const std::lock_guard lock(camera_mutex_);
      camera_frames_.push_back({up.width, up.height, up.capture_us});
      return;
    }
    default:
      return;  // Resize, MediaState and audio: a script has no use for them
  }
}

std::vector<ReceivedCameraFrame> ScriptedServer::camera_frames() const {
  const std::lock_guard lock(camera_mutex_);
  return camera_frames_;
}

}  // namespace ttycall::itest
