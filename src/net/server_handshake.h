#pragma once
// The server's side of a connection's handshake, as a step function without a socket:
// (state, packet) -> decision. The session acts on each decision (answer, join, refuse)
// and the handshake fuzzer drives the very same steps.
//
// Encrypted: KeyHello -> answer (KeyWelcome in the clear, then the channel is on) ->
// Auth -> Hello -> joined. With --insecure: Hello -> joined. In place of the Hello, a
// ListRooms asks for the room list (the session answers and closes). Any other order, or a packet
// that does not decode, is a protocol error; a client of the other kind (--insecure on
// one side only), another protocol version, or a failed Auth is refused with a reason.
#include <cstdint>
#include <span>
#include <string_view>

#include "net/key_exchange.h"
#include "net/protocol.h"
#include "net/secure_channel.h"

namespace ttycall::net {

struct HandshakeStep {
  enum class Kind : uint8_t {
    kContinue,       // accepted; nothing to do but read on
    kAnswer,         // send `welcome` in the clear, then enable `keys`
    kJoin,           // the Hello in `hello` is accepted: admit the participant
    kListRooms,      // a well-formed ListRooms: answer with the room list (or refuse)
    kRefuse,         // Bye(`reason`, `text`), then close; log `log` if not empty
    kProtocolError,  // Bye(kProtocolError, `text`), then close
  };
  Kind kind = Kind::kContinue;
  ByeReason reason = ByeReason::kNormal;
  std::string_view text;
  std::string_view log;
  bool log_client_key = false;  // the log line names the client's key (client_key())
  // What an Auth said of the server's password: the session counts wrong ones per address.
  enum class Password : uint8_t { kNotChecked, kRight, kWrong };
  Password password = Password::kNotChecked;
  KeyWelcome welcome;
  SessionKeys keys;
  Hello hello;

  static HandshakeStep refuse(ByeReason reason, std::string_view text, std::string_view log = {});
  static HandshakeStep protocol_error(std::string_view text);
};

class ServerHandshake {
 public:
  ServerHandshake(const ServerAuthConfig& auth, bool insecure);

  // Whether a packet of `type` may come now, judged from its header before its payload
  // is read: kContinue, or why not.
  HandshakeStep check_type(MsgType type) const;
  // The next step for a whole KeyHello, Auth, Hello or ListRooms.
  HandshakeStep step(MsgType type, std::span<const uint8_t> payload);

  bool joined() const { return phase_ == Phase::kJoined; }
  // The refusal of a client that speaks another protocol version.
  static HandshakeStep other_version();
  // After an Auth: the client's identity.
  const PublicKey& client_key() const { return client_key_; }
  // Whether `hello` proves the room password whose key is `key` (never, with --insecure:
  // there is no transcript to bind a proof to).
  bool proves_room_password(const PasswordKey& key, const Hello& hello) const {
    return !insecure_ && key_exchange_.proves_room_password(key, hello);
  }

 private:
  enum class Phase : uint8_t { kKeyExchange, kAuth, kHello, kJoined, kListed };
  HandshakeStep key_hello(std::span<const uint8_t> payload);
  HandshakeStep auth(std::span<const uint8_t> payload);
  HandshakeStep hello(std::span<const uint8_t> payload);
  HandshakeStep list_rooms(std::span<const uint8_t> payload);

  bool insecure_;
  Phase phase_;
  ServerKeyExchange key_exchange_;
  PublicKey client_key_;
};

}  // namespace ttycall::net
