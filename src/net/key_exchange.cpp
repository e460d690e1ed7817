#include "net/key_exchange.h"

#include <sodium.h>

#include <algorithm>
#include <cstring>

namespace ttycall::net {
namespace {

static_assert(kKeyBytes == crypto_kx_PUBLICKEYBYTES);
static_assert(kSessionKeyBytes == crypto_kx_SESSIONKEYBYTES);
static_assert(kSaltBytes == crypto_pwhash_SALTBYTES);
static_assert(kSigBytes == crypto_sign_ed25519_BYTES);

constexpr std::string_view kTranscriptLabel = "ttycall key exchange v1";
constexpr std::string_view kServerLabel = "ttycall server signs";
constexpr std::string_view kClientLabel = "ttycall client signs";
constexpr std::string_view kPasswordLabel = "ttycall password proof";
constexpr std::string_view kRoomPasswordLabel = "ttycall room password proof";

void absorb(crypto_generichash_state& state, std::span<const uint8_t> bytes) {
  crypto_generichash_update(&state, bytes.data(), bytes.size());
}
void absorb(crypto_generichash_state& state, std::string_view text) {
  absorb(state, {reinterpret_cast<const uint8_t*>(text.data()), text.size()});
}

TranscriptHash transcript_of(const KeyHello& hello, const KeyWelcome& welcome) {
  crypto_generichash_state state;
  crypto_generichash_init(&state, nullptr, 0, 32);
  absorb(state, kTranscriptLabel);
  const uint8_t version[2] = {uint8_t(hello.protocol_version),
                              uint8_t(hello.protocol_version >> 8)};
  absorb(state, version);
  absorb(state, hello.exchange_key);
  absorb(state, welcome.exchange_key);
  absorb(state, welcome.identity);
  absorb(state, std::span<const uint8_t>(&welcome.requirements, 1));
  absorb(state, welcome.password_salt);
  TranscriptHash hash{};
  crypto_generichash_final(&state, hash.data(), hash.size());
  return hash;
}

// label || transcript: what one side signs.
std::array<uint8_t, 64> signed_message(std::string_view label, const TranscriptHash& transcript) {
  std::array<uint8_t, 64> message{};
  std::memcpy(message.data(), label.data(), label.size());
  std::memcpy(message.data() + 32, transcript.data(), transcript.size());
  return message;
}

}  // namespace

// ---- PasswordKey ----

std::optional<PasswordKey> PasswordKey::derive(std::string_view password,
                                               const std::array<uint8_t, kSaltBytes>& salt) {
  ensure_sodium();
  PasswordKey key;
  if (crypto_pwhash(key.key_.data(), key.key_.size(), password.data(), password.size(), salt.data(),
                    crypto_pwhash_OPSLIMIT_INTERACTIVE, crypto_pwhash_MEMLIMIT_INTERACTIVE,
                    crypto_pwhash_ALG_ARGON2ID13) != 0) {
    return std::nullopt;
  }
  return key;
}

PasswordKey::~PasswordKey() {
  sodium_memzero(key_.data(), key_.size());
}

std::array<uint8_t, kKeyBytes> PasswordKey::proof(const TranscriptHash& transcript) const {
  const auto message = signed_message(kPasswordLabel, transcript);
  std::array<uint8_t, kKeyBytes> proof{};
  crypto_generichash(proof.data(), proof.size(), message.data(), message.size(), key_.data(),
                     key_.size());
  return proof;
}

std::string_view to_string(AuthVerdict verdict) {
  switch (verdict) {
    case AuthVerdict::kOk:
      return "ok";
    case AuthVerdict::kBadSignature:
      return "the client's signature does not verify";
    case AuthVerdict::kPasswordMissing:
      return "this server needs a password (--password)";
    case AuthVerdict::kWrongPassword:
      return "wrong password";
    case AuthVerdict::kKeyNotAllowed:
      return "the client's key is not in the server's allowed keys";
  }
  return "unknown";
}

std::array<uint8_t, kKeyBytes> PasswordKey::room_proof(const TranscriptHash& transcript,
                                                       std::string_view room) const {
  // The room's name is hashed in too, so a proof for one room is no proof for another.
  crypto_generichash_state state;
  crypto_generichash_init(&state, key_.data(), key_.size(), kKeyBytes);
  absorb(state, signed_message(kRoomPasswordLabel, transcript));
  const uint8_t len = uint8_t(room.size());
  absorb(state, std::span<const uint8_t>(&len, 1));
  absorb(state, room);
  std::array<uint8_t, kKeyBytes> proof{};
  crypto_generichash_final(&state, proof.data(), proof.size());
  return proof;
}

// ---- ServerKeyExchange ----

ServerKeyExchange::~ServerKeyExchange() = default;

bool ServerKeyExchange::answer(const KeyHello& hello, KeyWelcome& welcome, SessionKeys& keys) {
  std::array<uint8_t, 32> secret{};
  crypto_kx_keypair(welcome.exchange_key.data(), secret.data());
  const int failed = crypto_kx_server_session_keys(keys.receive.data(), keys.transmit.data(),
                                                   welcome.exchange_key.data(), secret.data(),
                                                   hello.exchange_key.data());
  sodium_memzero(secret.data(), secret.size());
  if (failed != 0) return false;
  welcome.identity = config_.identity->public_key().bytes;
  welcome.requirements = uint8_t((config_.password ? kNeedsPassword : 0) |
                                 (config_.restrict_keys ? kNeedsAllowedKey : 0));
  welcome.password_salt = config_.password_salt;
  transcript_ = transcript_of(hello, welcome);
  const auto message = signed_message(kServerLabel, transcript_);
  welcome.signature = config_.identity->sign(message);
  return true;
}

AuthVerdict ServerKeyExchange::check(const Auth& auth, PublicKey& client_key) const {
  client_key.bytes = auth.identity;
  const auto message = signed_message(kClientLabel, transcript_);
  if (!verify(client_key, message, auth.signature)) return AuthVerdict::kBadSignature;
  if (config_.password) {
    if (!auth.has_password) return AuthVerdict::kPasswordMissing;
    const auto expected = config_.password->proof(transcript_);
    if (sodium_memcmp(expected.data(), auth.password_proof.data(), expected.size()) != 0) {
      return AuthVerdict::kWrongPassword;
    }
  }
  if (config_.restrict_keys && std::find(config_.allowed_keys.begin(), config_.allowed_keys.end(),
                                         client_key) == config_.allowed_keys.end()) {
    return AuthVerdict::kKeyNotAllowed;
  }
  return AuthVerdict::kOk;
}

bool ServerKeyExchange::proves_room_password(const PasswordKey& key, const Hello& hello) const {
  if (!hello.has_room_password) return false;
  const auto expected = key.room_proof(transcript_, hello.room.view());
  return sodium_memcmp(expected.data(), hello.room_proof.data(), expected.size()) == 0;
}

// ---- ClientKeyExchange ----

ClientKeyExchange::ClientKeyExchange() {
  ensure_sodium();
  crypto_kx_keypair(hello_.exchange_key.data(), exchange_secret_.data());
}

ClientKeyExchange::~ClientKeyExchange() {
  sodium_memzero(exchange_secret_.data(), exchange_secret_.size());
}

bool ClientKeyExchange::accept(const KeyWelcome& welcome, SessionKeys& keys) {
  const TranscriptHash transcript = transcript_of(hello_, welcome);
  PublicKey server;
  server.bytes = welcome.identity;
  if (!verify(server, signed_message(kServerLabel, transcript), welcome.signature)) return false;
  if (crypto_kx_client_session_keys(keys.receive.data(), keys.transmit.data(),
                                    hello_.exchange_key.data(), exchange_secret_.data(),
                                    welcome.exchange_key.data()) != 0) {
    return false;
  }
  server_identity_ = server;
  transcript_ = transcript;
  return true;
}

Auth ClientKeyExchange::make_auth(const Identity& me, const PasswordKey* password) const {
  Auth auth;
  auth.identity = me.public_key().bytes;
  auth.signature = me.sign(signed_message(kClientLabel, transcript_));
  if (password != nullptr) {
    auth.has_password = 1;
    auth.password_proof = password->proof(transcript_);
  }
  return auth;
}

void ClientKeyExchange::prove_room_password(const PasswordKey& key, Hello& hello) const {
  hello.has_room_password = 1;
  hello.room_proof = key.room_proof(transcript_, hello.room.view());
}

}  // namespace ttycall::net
