#include "raw_connection.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cstring>
#include <stdexcept>

namespace ttycall::itest {

using Clock = std::chrono::steady_clock;

RawConnection::RawConnection(uint16_t port, int receive_buffer, const char* source) {
  fd_ = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd_ < 0) throw std::runtime_error("socket() failed");
  if (source != nullptr) {
    sockaddr_in local{};
    local.sin_family = AF_INET;
    if (::inet_pton(AF_INET, source, &local.sin_addr) != 1 ||
        ::bind(fd_, reinterpret_cast<const sockaddr*>(&local), sizeof local) != 0) {
      ::close(fd_);
      throw std::runtime_error(std::string("cannot bind to ") + source);
    }
  }
  if (receive_buffer > 0) {
    ::setsockopt(fd_, SOL_SOCKET, SO_RCVBUF, &receive_buffer, sizeof receive_buffer);
  }
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(port);
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (::connect(fd_, reinterpret_cast<const sockaddr*>(&addr), sizeof addr) != 0) {
    ::close(fd_);
    throw std::runtime_error("cannot connect to 127.0.0.1:" + std::to_string(port));
  }
}

RawConnection::~RawConnection() {
  if (fd_ >= 0) ::close(fd_);
}

bool RawConnection::send_bytes(std::span<const uint8_t> bytes) {
  size_t sent = 0;
  while (sent < bytes.size()) {
    const ssize_t n = ::send(fd_, bytes.data() + sent, bytes.size() - sent, MSG_NOSIGNAL);
    if (n <= 0) return false;
    sent += size_t(n);
  }
  return true;
}

bool RawConnection::send_packet(std::vector<uint8_t> packet) {
  if (channel_.enabled()) {
    const size_t plain = packet.size();
    packet.resize(plain + net::kSealOverhead);
    packet.resize(channel_.seal(packet, plain));
  }
  return !packet.empty() && send_bytes(packet);
}

void RawConnection::shutdown_write() {
  ::shutdown(fd_, SHUT_WR);
}

bool RawConnection::read_exact(uint8_t* out, size_t n, Clock::time_point deadline) {
  size_t got = 0;
  while (got < n) {
    const auto left =
        std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now());
    if (left.count() <= 0) return false;
    pollfd p{fd_, POLLIN, 0};
    if (::poll(&p, 1, int(left.count())) <= 0) return false;
    const ssize_t r = ::recv(fd_, out + got, n - got, 0);
    if (r <= 0) {
      closed_ = true;
      return false;
    }
    got += size_t(r);
  }
  return true;
}

std::optional<RawConnection::Packet> RawConnection::read_packet(std::chrono::milliseconds timeout) {
  const auto deadline = Clock::now() + timeout;
  std::array<uint8_t, net::kHeaderSize> head;
  if (!read_exact(head.data(), head.size(), deadline)) return std::nullopt;
  Packet packet;
  if (net::parse_header(head, packet.header) != net::HeaderError::kOk) return std::nullopt;
  packet.payload.resize(packet.header.length);
  if (!read_exact(packet.payload.data(), packet.payload.size(), deadline)) return std::nullopt;
  if (!net::payload_crc_matches(packet.header, packet.payload)) return std::nullopt;
  if (packet.header.sealed()) {
    bool ok = false;
    const auto plain = channel_.open(head, packet.payload, ok);
    if (!ok) return std::nullopt;
    packet.payload.resize(plain.size());
  }
  return packet;
}

bool RawConnection::key_exchange(const net::Identity& me, Password* password) {
  net::ClientKeyExchange exchange;
  if (!send_message(net::MsgType::kKeyHello, exchange.hello())) return false;
  const auto answer = read_packet(std::chrono::seconds(5));
  net::KeyWelcome welcome;
  net::SessionKeys keys;
  if (!answer || answer->header.type != net::MsgType::kKeyWelcome ||
      !net::decode(answer->payload, welcome) || !exchange.accept(welcome, keys)) {
    return false;
  }
  channel_.enable(keys);
  if (password != nullptr && (!password->key || password->salt != welcome.password_salt)) {
    password->key = net::PasswordKey::derive(password->text, welcome.password_salt);
    password->salt = welcome.password_salt;
    if (!password->key) return false;
  }
  return send_message(net::MsgType::kAuth,
                      exchange.make_auth(me, password ? &*password->key : nullptr));
}

bool RawConnection::join(const std::string& name, uint16_t cols, uint16_t rows) {
  if (!key_exchange(net::Identity::generate())) return false;
  net::Hello hello;
  hello.cols = cols;
  hello.rows = rows;
  hello.name = net::Name::from(name);
  if (!send_message(net::MsgType::kHello, hello)) return false;
  const auto deadline = Clock::now() + std::chrono::seconds(5);
  while (Clock::now() < deadline) {
    const auto packet = read_packet(std::chrono::seconds(5));
    if (!packet) return false;
    if (packet->header.type == net::MsgType::kWelcome) return true;
  }
  return false;
}

bool RawConnection::wait_closed(std::chrono::milliseconds timeout, net::Bye* bye) {
  const auto deadline = Clock::now() + timeout;
  std::array<uint8_t, net::kHeaderSize> head;
  while (Clock::now() < deadline && !closed_) {
    if (!read_exact(head.data(), head.size(), deadline)) continue;
    net::Header header;
    if (net::parse_header(head, header) != net::HeaderError::kOk) continue;
    std::vector<uint8_t> payload(header.length);
    if (!read_exact(payload.data(), payload.size(), deadline)) continue;
    std::span<const uint8_t> plain = payload;
    if (header.sealed()) {  // opened in order, or the counter nonces fall out of step
      bool ok = false;
      plain = channel_.open(head, payload, ok);
      if (!ok) continue;
    }
    if (header.type == net::MsgType::kBye && bye != nullptr) net::decode(plain, *bye);
  }
  return closed_;
}

}  // namespace ttycall::itest
