#pragma once
// The handshake that makes a connection private and says who is at each end.
//
//   client -> KeyHello   { version, ephemeral X25519 key }                      (clear)
//   server -> KeyWelcome { ephemeral X25519 key, Ed25519 identity, signature,
//                          requirements, password salt }                       (clear)
//   both   -> derive per-direction session keys (crypto_kx: X25519 + BLAKE2b); sealed from here
//   client -> Auth       { Ed25519 identity, signature, password proof }       (sealed)
//   client -> Hello { ..., room, room password proof } (or ListRooms)          (sealed)
//
// Both signatures cover one transcript hash of everything exchanged in the clear, so a
// man in the middle cannot swap keys without the client noticing (it pins the server's
// identity, see known_hosts.h). The password never travels: the server derives an Argon2id
// key from it once at start-up with a random salt it announces, and the client proves
// it knows the password with a keyed BLAKE2b of the transcript, sent sealed.
#include <array>
#include <cstdint>
#include <optional>
#include <string_view>
#include <vector>

#include "net/keys.h"
#include "net/protocol.h"
#include "net/secure_channel.h"

namespace ttycall::net {

using TranscriptHash = std::array<uint8_t, 32>;

// Argon2id of a password and salt (slow on purpose: run once per server start or connection).
class PasswordKey {
 public:
  // Returns nullopt if libsodium cannot get the memory Argon2id needs.
  static std::optional<PasswordKey> derive(std::string_view password,
                                           const std::array<uint8_t, kSaltBytes>& salt);
  ~PasswordKey();
  PasswordKey(const PasswordKey&) = default;
  PasswordKey& operator=(const PasswordKey&) = default;

  std::array<uint8_t, kKeyBytes> proof(const TranscriptHash& transcript) const;
  // The proof of a room's password (the key derived with the same announced salt): bound
  // to the transcript and to the room's name, sent in the sealed Hello.
  std::array<uint8_t, kKeyBytes> room_proof(const TranscriptHash& transcript,
                                            std::string_view room) const;

 private:
  PasswordKey() = default;
  std::array<uint8_t, 32> key_{};
};

// What a server requires of its clients; built once at start-up, shared read-only.
struct ServerAuthConfig {
  std::optional<Identity> identity;
  std::optional<PasswordKey> password;  // set: clients must prove the password
  std::array<uint8_t, kSaltBytes> password_salt{};
  bool restrict_keys = false;  // true: only `allowed_keys` may join
  std::vector<PublicKey> allowed_keys;
};

enum class AuthVerdict { kOk, kBadSignature, kPasswordMissing, kWrongPassword, kKeyNotAllowed };
std::string_view to_string(AuthVerdict verdict);

class ServerKeyExchange {
 public:
  explicit ServerKeyExchange(const ServerAuthConfig& config) : config_(config) {}
  ~ServerKeyExchange();
  ServerKeyExchange(const ServerKeyExchange&) = delete;
  ServerKeyExchange& operator=(const ServerKeyExchange&) = delete;

  // Answers a client's KeyHello. False if its key is unusable (a low-order point).
  bool answer(const KeyHello& hello, KeyWelcome& welcome, SessionKeys& keys);
  // Judges the client's Auth (after answer()). `client_key` receives its identity.
  AuthVerdict check(const Auth& auth, PublicKey& client_key) const;
  bool needs_password() const { return config_.password.has_value(); }
  // Whether the Hello proves the password whose key is `key`, for the room it names.
  bool proves_room_password(const PasswordKey& key, const Hello& hello) const;

 private:
  const ServerAuthConfig& config_;
  TranscriptHash transcript_{};
};

class ClientKeyExchange {
 public:
  ClientKeyExchange();  // a fresh ephemeral key pair
  ~ClientKeyExchange();
  ClientKeyExchange(const ClientKeyExchange&) = delete;
  ClientKeyExchange& operator=(const ClientKeyExchange&) = delete;

  const KeyHello& hello() const { return hello_; }
  // Checks the server's signature and derives the session keys. False if the signature
  // does not verify or the server's key is unusable.
  bool accept(const KeyWelcome& welcome, SessionKeys& keys);
  // After accept(): the identity the server proved it holds.
  const PublicKey& server_identity() const { return server_identity_; }
  const TranscriptHash& transcript() const { return transcript_; }
  // The Auth to send sealed; `password` is derived with the welcome's salt.
  Auth make_auth(const Identity& me, const PasswordKey* password) const;
  // Fills the Hello's room password proof for the room it names (after accept()).
  void prove_room_password(const PasswordKey& key, Hello& hello) const;

 private:
  KeyHello hello_;
  std::array<uint8_t, 32> exchange_secret_{};
  PublicKey server_identity_;
  TranscriptHash transcript_{};
};

}  // namespace ttycall::net
