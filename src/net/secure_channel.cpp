#include "net/secure_channel.h"

#include <sodium.h>

#include <cstring>

#include "net/byte_io.h"
#include "net/crc32c.h"

namespace ttycall::net {
namespace {

static_assert(kSealOverhead == crypto_aead_xchacha20poly1305_ietf_ABYTES);
static_assert(kSessionKeyBytes == crypto_aead_xchacha20poly1305_ietf_KEYBYTES);

// Magic, version, type, flags and length: everything in the header but the CRC.
constexpr size_t kAssociatedBytes = 12;

std::array<uint8_t, crypto_aead_xchacha20poly1305_ietf_NPUBBYTES> nonce_for(uint64_t counter) {
  std::array<uint8_t, crypto_aead_xchacha20poly1305_ietf_NPUBBYTES> nonce{};
  for (int i = 0; i < 8; ++i) nonce[i] = uint8_t(counter >> (8 * i));
  return nonce;
}

}  // namespace

SecureChannel::~SecureChannel() {
  sodium_memzero(&keys_, sizeof keys_);
}

void SecureChannel::enable(const SessionKeys& keys) {
  keys_ = keys;
  enabled_ = true;
  transmit_counter_ = 0;
  receive_counter_ = 0;
}

void SecureChannel::reset() {
  sodium_memzero(&keys_, sizeof keys_);
  enabled_ = false;
  transmit_counter_ = 0;
  receive_counter_ = 0;
}

// Writes header + ciphertext + tag at `out_packet` for a payload at `plain` (which may be
// out_packet + kHeaderSize: libsodium encrypts in place). The caller has copied the header.
size_t SecureChannel::seal_payload(const uint8_t* plain, size_t plain_size, uint8_t* out_packet) {
  const size_t sealed_size = plain_size + kSealOverhead;
  // Rewrite flags and length first: they are part of the associated data.
  out_packet[6] = uint8_t(out_packet[6] | kFlagSealed);
  ByteWriter length(std::span<uint8_t>(out_packet + 8, 4));
  length.u32(uint32_t(sealed_size));
  uint8_t* cipher = out_packet + kHeaderSize;
  const auto nonce = nonce_for(transmit_counter_++);
  crypto_aead_xchacha20poly1305_ietf_encrypt_detached(cipher, cipher + plain_size, nullptr, plain,
                                                      plain_size, out_packet, kAssociatedBytes,
                                                      nullptr, nonce.data(), keys_.transmit.data());
  ByteWriter crc(std::span<uint8_t>(out_packet + 12, 4));
  crc.u32(crc32c({cipher, sealed_size}));
  return kHeaderSize + sealed_size;
}

size_t SecureChannel::seal(std::span<uint8_t> buffer, size_t packet_size) {
  if (packet_size < kHeaderSize || packet_size + kSealOverhead > buffer.size()) return 0;
  return seal_payload(buffer.data() + kHeaderSize, packet_size - kHeaderSize, buffer.data());
}

size_t SecureChannel::seal_to(std::span<const uint8_t> packet, std::span<uint8_t> out) {
  if (packet.size() < kHeaderSize || packet.size() + kSealOverhead > out.size()) return 0;
  std::memcpy(out.data(), packet.data(), kHeaderSize);
  return seal_payload(packet.data() + kHeaderSize, packet.size() - kHeaderSize, out.data());
}

std::span<const uint8_t> SecureChannel::open(std::span<const uint8_t, kHeaderSize> header,
                                             std::span<uint8_t> payload, bool& ok) {
  ok = false;
  if (!enabled_ || payload.size() < kSealOverhead || (header[6] & kFlagSealed) == 0) return {};
  const size_t plain_size = payload.size() - kSealOverhead;
  const auto nonce = nonce_for(receive_counter_);
  if (crypto_aead_xchacha20poly1305_ietf_decrypt_detached(
          payload.data(), nullptr, payload.data(), plain_size, payload.data() + plain_size,
          header.data(), kAssociatedBytes, nonce.data(), keys_.receive.data()) != 0) {
    return {};
  }
  ++receive_counter_;
  ok = true;
  return payload.first(plain_size);
}

}  // namespace ttycall::net
