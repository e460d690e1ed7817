#include "net/server_handshake.h"

namespace ttycall::net {
namespace {

constexpr std::string_view kOtherVersionText = "this server speaks ttycall protocol version 5";
static_assert(kProtocolVersion == 5, "kOtherVersionText names the version");

// Hello, ListRooms and KeyHello all start with a u16 protocol version. Another version may lay out
// the rest differently, so a payload that does not decode but names another version is
// answered with a Bye saying which version this server speaks.
bool names_other_version(std::span<const uint8_t> payload) {
  return payload.size() >= 2 && (payload[0] | payload[1] << 8) != kProtocolVersion;
}

}  // namespace

HandshakeStep ServerHandshake::other_version() {
  return HandshakeStep::refuse(ByeReason::kVersionMismatch, kOtherVersionText);
}

HandshakeStep HandshakeStep::refuse(ByeReason reason, std::string_view text, std::string_view log) {
  HandshakeStep step;
  step.kind = Kind::kRefuse;
  step.reason = reason;
  step.text = text;
  step.log = log;
  return step;
}

HandshakeStep HandshakeStep::protocol_error(std::string_view text) {
  HandshakeStep step;
  step.kind = Kind::kProtocolError;
  step.reason = ByeReason::kProtocolError;
  step.text = text;
  return step;
}

ServerHandshake::ServerHandshake(const ServerAuthConfig& auth, bool insecure)
    : insecure_(insecure),
      phase_(insecure ? Phase::kHello : Phase::kKeyExchange),
      key_exchange_(auth) {}

HandshakeStep ServerHandshake::check_type(MsgType type) const {
  switch (phase_) {
    case Phase::kKeyExchange:
      if (type == MsgType::kKeyHello) return {};
      if (type == MsgType::kHello) {
        return HandshakeStep::refuse(
            ByeReason::kEncryptionRequired,
            "this server encrypts every call: connect without --insecure",
            "refusing an unencrypted client (this server encrypts; it has --insecure)");
      }
      return HandshakeStep::protocol_error("first packet was not a key exchange");
    case Phase::kAuth:
      if (type == MsgType::kAuth) return {};
      return HandshakeStep::protocol_error("expected auth after the key exchange");
    case Phase::kHello:
      if (type == MsgType::kHello || type == MsgType::kListRooms) return {};
      if (type == MsgType::kKeyHello && insecure_) {
        return HandshakeStep::refuse(
            ByeReason::kNotEncrypted,
            "this server runs without encryption (--insecure): connect with --insecure to join "
            "it unencrypted",
            "refusing an encrypting client (this server runs with --insecure)");
      }
      return HandshakeStep::protocol_error("first packet was not a hello");
    case Phase::kJoined:
      if (type == MsgType::kHello || type == MsgType::kKeyHello || type == MsgType::kAuth ||
          type == MsgType::kListRooms) {
        return HandshakeStep::protocol_error("handshake packet after joining");
      }
      return {};
    case Phase::kListed:
      if (type == MsgType::kBye) return {};
      return HandshakeStep::protocol_error("nothing but a bye may follow a room list request");
  }
  return HandshakeStep::protocol_error("unexpected packet");
}

HandshakeStep ServerHandshake::step(MsgType type, std::span<const uint8_t> payload) {
  if (HandshakeStep allowed = check_type(type); allowed.kind != HandshakeStep::Kind::kContinue) {
    return allowed;
  }
  switch (type) {
    case MsgType::kKeyHello:
      return key_hello(payload);
    case MsgType::kAuth:
      return auth(payload);
    case MsgType::kHello:
      return hello(payload);
    case MsgType::kListRooms:
      return list_rooms(payload);
    default:
      return HandshakeStep::protocol_error("not a handshake packet");
  }
}

HandshakeStep ServerHandshake::key_hello(std::span<const uint8_t> payload) {
  KeyHello hello;
  if (!decode(payload, hello)) {
    if (names_other_version(payload)) return other_version();
    return HandshakeStep::protocol_error("malformed key exchange");
  }
  HandshakeStep step;
  if (!key_exchange_.answer(hello, step.welcome, step.keys)) {
    return HandshakeStep::protocol_error("unusable exchange key");
  }
  step.kind = HandshakeStep::Kind::kAnswer;
  phase_ = Phase::kAuth;
  return step;
}

HandshakeStep ServerHandshake::auth(std::span<const uint8_t> payload) {
  Auth auth;
  if (!decode(payload, auth)) return HandshakeStep::protocol_error("malformed auth");
  const AuthVerdict verdict = key_exchange_.check(auth, client_key_);
  HandshakeStep step;
  switch (verdict) {
    case AuthVerdict::kOk:
      phase_ = Phase::kHello;
      if (key_exchange_.needs_password()) step.password = HandshakeStep::Password::kRight;
      return step;
    case AuthVerdict::kBadSignature:
      return HandshakeStep::protocol_error(to_string(verdict));
    case AuthVerdict::kPasswordMissing:
    case AuthVerdict::kWrongPassword:
      step = HandshakeStep::refuse(ByeReason::kAuthFailed,
                                   verdict == AuthVerdict::kWrongPassword
                                       ? "wrong password"
                                       : "this server needs a password: connect with --password",
                                   to_string(verdict));
      if (verdict == AuthVerdict::kWrongPassword) step.password = HandshakeStep::Password::kWrong;
      break;
    case AuthVerdict::kKeyNotAllowed:
      step = HandshakeStep::refuse(ByeReason::kKeyNotAllowed,
                                   "your key is not allowed on this server: send the output of "
                                   "`ttycall key` to its operator",
                                   "not in the allowed keys");
      break;
  }
  step.log_client_key = true;
  return step;
}

HandshakeStep ServerHandshake::hello(std::span<const uint8_t> payload) {
  HandshakeStep step;
  if (!decode(payload, step.hello)) {
    if (names_other_version(payload)) return other_version();
    return HandshakeStep::protocol_error("malformed hello");
  }
  if (step.hello.protocol_version != kProtocolVersion) return other_version();
  step.kind = HandshakeStep::Kind::kJoin;
  phase_ = Phase::kJoined;
  return step;
}

HandshakeStep ServerHandshake::list_rooms(std::span<const uint8_t> payload) {
  ListRooms request;
  if (!decode(payload, request)) {
    if (names_other_version(payload)) return other_version();
    return HandshakeStep::protocol_error("malformed room list request");
  }
  if (request.protocol_version != kProtocolVersion) return other_version();
  HandshakeStep step;
  step.kind = HandshakeStep::Kind::kListRooms;
  phase_ = Phase::kListed;
  return step;
}

}  // namespace ttycall::net
