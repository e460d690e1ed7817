#pragma once
// A hand-driven connection to a server under test, for sending what no real client would:
// malformed packets, packets out of order, tampered ciphertext, or nothing read at all.
// It can also do the real key exchange (with the library's own code) to get past it.
// Blocking POSIX socket with poll() deadlines, so a test never hangs.
#include <chrono>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "net/key_exchange.h"
#include "net/keys.h"
#include "net/protocol.h"
#include "net/secure_channel.h"

namespace ttycall::itest {

class RawConnection {
 public:
  // Connects to 127.0.0.1; throws if it cannot. A small `receive_buffer` (bytes) makes a
  // connection that does not read fill up within a few frames. `source` (an address of
  // 127.0.0.0/8, all of which Linux routes to loopback) makes it come from another address.
  explicit RawConnection(uint16_t port, int receive_buffer = 0, const char* source = nullptr);
  ~RawConnection();
  RawConnection(const RawConnection&) = delete;
  RawConnection& operator=(const RawConnection&) = delete;

  // Bytes exactly as given.
  bool send_bytes(std::span<const uint8_t> bytes);
  // A whole packet (header + payload), sealed first once the key exchange is done.
  bool send_packet(std::vector<uint8_t> packet);
  template <class Msg>
  bool send_message(net::MsgType type, const Msg& msg) {
    std::vector<uint8_t> packet(net::kHeaderSize + 4096);
    const size_t n = net::build_packet(type, msg, packet);
    packet.resize(n);
    return n > 0 && send_packet(std::move(packet));
  }

  // KeyHello, KeyWelcome, then the sealed Auth, as a real client. False if it fails.
  // A password and its key once derived for a salt (Argon2id is slow on purpose: one
  // derivation serves every connection to the same server).
  struct Password {
    std::string text;
    std::optional<net::PasswordKey> key;
    std::array<uint8_t, net::kSaltBytes> salt{};
  };
  // With `password`, the Auth proves it (derived with the salt the server announces).
  bool key_exchange(const net::Identity& me, Password* password = nullptr);
  // key_exchange() then a Hello for a COLSxROWS view, then waits for the Welcome.
  bool join(const std::string& name, uint16_t cols, uint16_t rows);
  net::SecureChannel& channel() { return channel_; }

  struct Packet {
    net::Header header;
    std::vector<uint8_t> payload;  // opened when it was sealed
  };
  // The next packet, or nullopt on timeout, close, or a packet that fails to parse or open.
  std::optional<Packet> read_packet(std::chrono::milliseconds timeout);
  // Reads and drops whatever arrives until the server closes the connection: true if it
  // did within `timeout`. The last Bye seen, if any, goes to `bye`.
  bool wait_closed(std::chrono::milliseconds timeout, net::Bye* bye = nullptr);
  // No more bytes from this side (the server sees end of stream).
  void shutdown_write();

 private:
  bool read_exact(uint8_t* out, size_t n, std::chrono::steady_clock::time_point deadline);

  int fd_ = -1;
  net::SecureChannel channel_;
  bool closed_ = false;
};

}  // namespace ttycall::itest
