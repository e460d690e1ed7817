#pragma once
// The encryption of a connection after its key exchange: every packet is sealed with
// XChaCha20-Poly1305 (libsodium). The 16-byte header stays readable so the receiver can
// check type and length before it takes a buffer, and it is authenticated with the payload
// (its first 12 bytes are the AEAD's associated data). The payload is encrypted and followed
// by the 16-byte tag; the header's CRC then covers those wire bytes.
//
// Nonces are per-direction counters (0, 1, 2, ...) that are never sent: a replayed, dropped,
// reordered or altered packet fails to open, and the connection is closed. Each direction
// has its own key, so a counter value is never used twice with one key.
#include <array>
#include <cstddef>
#include <cstdint>
#include <span>

#include "net/protocol.h"

namespace ttycall::net {

constexpr size_t kSessionKeyBytes = 32;
using SessionKey = std::array<uint8_t, kSessionKeyBytes>;

struct SessionKeys {
  SessionKey receive{};
  SessionKey transmit{};
};

class SecureChannel {
 public:
  SecureChannel() = default;
  ~SecureChannel();
  SecureChannel(const SecureChannel&) = delete;
  SecureChannel& operator=(const SecureChannel&) = delete;

  // From now on every packet is sealed and every packet received must open.
  void enable(const SessionKeys& keys);
  bool enabled() const { return enabled_; }
  // Back to plain (a new connection), keys wiped.
  void reset();

  // Seals, in place, the complete packet (header + payload, as build_packet writes it) in
  // the first `packet_size` bytes of `buffer`, which needs kSealOverhead bytes more.
  // Returns the sealed packet's size, 0 if it does not fit.
  size_t seal(std::span<uint8_t> buffer, size_t packet_size);
  // Seals `packet` into `out` (for packets shared between connections). Returns the
  // sealed size, 0 if `out` is too small.
  size_t seal_to(std::span<const uint8_t> packet, std::span<uint8_t> out);

  // Opens a received sealed payload in place (its header already passed parse_header and
  // its CRC checked). Returns the plaintext (the start of `payload`), or an empty span with
  // `ok` false if it does not authenticate.
  std::span<const uint8_t> open(std::span<const uint8_t, kHeaderSize> header,
                                std::span<uint8_t> payload, bool& ok);

  uint64_t packets_sealed() const { return transmit_counter_; }
  uint64_t packets_opened() const { return receive_counter_; }

 private:
  size_t seal_payload(const uint8_t* plain, size_t plain_size, uint8_t* out_packet);

  bool enabled_ = false;
  SessionKeys keys_{};
  uint64_t transmit_counter_ = 0;
  uint64_t receive_counter_ = 0;
};

}  // namespace ttycall::net
