#pragma once
// Long-term identities: Ed25519 key pairs (libsodium) that sign the key exchange, kept in
// files of their own, and their public keys as short text for known_hosts, allowed-keys
// files and messages.
#include <array>
#include <cstdint>
#include <filesystem>
#include <optional>
#include <span>
#include <string>
#include <string_view>

#include "core/status.h"

namespace ttycall::net {

constexpr size_t kPublicKeyBytes = 32;
constexpr size_t kSignatureBytes = 64;

// Makes libsodium ready (idempotent, thread-safe). Throws std::runtime_error if it cannot.
void ensure_sodium();

struct PublicKey {
  std::array<uint8_t, kPublicKeyBytes> bytes{};

  // Unpadded standard base64, 43 characters.
  std::string to_text() const;
  static std::optional<PublicKey> from_text(std::string_view text);
  bool operator==(const PublicKey&) const = default;
};

using Signature = std::array<uint8_t, kSignatureBytes>;

class Identity {
 public:
  // A new random identity, kept only in memory (the demo's server).
  static Identity generate();
  // Reads the identity stored in `file`, or creates one there (mode 0600, its folder 0700)
  // if the file does not exist.
  static core::Result<Identity> load_or_create(const std::filesystem::path& file);

  Identity(const Identity&) = default;
  Identity& operator=(const Identity&) = default;
  ~Identity();

  const PublicKey& public_key() const { return public_; }
  Signature sign(std::span<const uint8_t> message) const;

 private:
  Identity() = default;
  PublicKey public_;
  std::array<uint8_t, 64> secret_{};  // libsodium's Ed25519 secret key (seed + public key)
};

bool verify(const PublicKey& key, std::span<const uint8_t> message, const Signature& signature);

}  // namespace ttycall::net
