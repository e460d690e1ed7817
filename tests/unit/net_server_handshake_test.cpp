// Specification of net::ServerHandshake (src/net/server_handshake.h): the server's
// decision for each packet of a connection's handshake, without a socket.
#include "net/server_handshake.h"

#include <gtest/gtest.h>

#include <array>

namespace ttycall::net {
namespace {

using Kind = HandshakeStep::Kind;

template <class Msg>
std::vector<uint8_t> payload_of(const Msg& msg) {
  std::array<uint8_t, 512> out{};
  const size_t n = encode(msg, out);
  return {out.begin(), out.begin() + n};
}

Hello a_hello() {
  Hello hello;
  hello.cols = 80;
  hello.rows = 23;
  hello.name = Name::from("ada");
  return hello;
}

struct EncryptedServer : ::testing::Test {
  void SetUp() override {
    ensure_sodium();
    auth.identity = Identity::generate();
  }
  ServerAuthConfig auth;
};

TEST(ServerHandshakeInsecure, AHelloJoins) {
  const ServerAuthConfig auth;
  ServerHandshake handshake(auth, /*insecure=*/true);
  EXPECT_EQ(handshake.check_type(MsgType::kHello).kind, Kind::kContinue);
  const HandshakeStep step = handshake.step(MsgType::kHello, payload_of(a_hello()));
  ASSERT_EQ(step.kind, Kind::kJoin);
  EXPECT_EQ(step.hello.name.view(), "ada");
  EXPECT_TRUE(handshake.joined());
  // Once joined, handshake packets are errors and call traffic is allowed.
  EXPECT_EQ(handshake.check_type(MsgType::kHello).kind, Kind::kProtocolError);
  EXPECT_EQ(handshake.check_type(MsgType::kResize).kind, Kind::kContinue);
}

TEST(ServerHandshakeInsecure, RefusesAnEncryptingClientWithAReason) {
  const ServerAuthConfig auth;
  ServerHandshake handshake(auth, /*insecure=*/true);
  const HandshakeStep step = handshake.check_type(MsgType::kKeyHello);
  EXPECT_EQ(step.kind, Kind::kRefuse);
  EXPECT_EQ(step.reason, ByeReason::kNotEncrypted);
}

TEST(ServerHandshakeInsecure, AnotherVersionIsRefusedNotAnError) {
  const ServerAuthConfig auth;
  ServerHandshake handshake(auth, /*insecure=*/true);
  std::vector<uint8_t> payload = payload_of(a_hello());
  payload[0] = kProtocolVersion + 1;
  const HandshakeStep step = handshake.step(MsgType::kHello, payload);
  EXPECT_EQ(step.kind, Kind::kRefuse);
  EXPECT_EQ(step.reason, ByeReason::kVersionMismatch);
  EXPECT_FALSE(handshake.joined());
}

TEST(ServerHandshakeInsecure, AVersionOneHelloIsToldTheVersion) {
  // A v1 client's Hello (render and colour modes after the version): refused with a reason
  // it can show, naming the version this server speaks.
  const std::vector<uint8_t> v1 = {1, 0, 0b11, 0b111, 80, 0, 24, 0, 1, 2, 3, 'a', 'd', 'a'};
  const ServerAuthConfig auth;
  ServerHandshake handshake(auth, /*insecure=*/true);
  const HandshakeStep step = handshake.step(MsgType::kHello, v1);
  EXPECT_EQ(step.kind, Kind::kRefuse);
  EXPECT_EQ(step.reason, ByeReason::kVersionMismatch);
  EXPECT_EQ(step.text, "this server speaks ttycall protocol version 5");
  EXPECT_FALSE(handshake.joined());
}

TEST(ServerHandshakeInsecure, AHelloCarriesTheSizeTheNameAndTheRoom) {
  const ServerAuthConfig auth;
  ServerHandshake handshake(auth, /*insecure=*/true);
  Hello hello = a_hello();
  hello.room = Name::from("ops");
  const std::vector<uint8_t> payload = payload_of(hello);
  std::vector<uint8_t> expected = {5, 0, 80, 0, 23, 0, 3, 'a', 'd', 'a', 3, 'o', 'p', 's', 0};
  expected.resize(expected.size() + 32, 0);  // no room password: a zero proof
  EXPECT_EQ(payload, expected);
  const HandshakeStep step = handshake.step(MsgType::kHello, payload);
  ASSERT_EQ(step.kind, Kind::kJoin);
  EXPECT_EQ(step.hello.cols, 80);
  EXPECT_EQ(step.hello.rows, 23);
  EXPECT_EQ(step.hello.room.view(), "ops");
}

TEST(ServerHandshakeInsecure, ListRoomsInPlaceOfHelloAsksForTheList) {
  const ServerAuthConfig auth;
  ServerHandshake handshake(auth, /*insecure=*/true);
  EXPECT_EQ(handshake.check_type(MsgType::kListRooms).kind, Kind::kContinue);
  EXPECT_EQ(handshake.step(MsgType::kListRooms, payload_of(ListRooms{})).kind, Kind::kListRooms);
  // Nothing but a Bye may follow: not a Hello, not call traffic.
  EXPECT_FALSE(handshake.joined());
  EXPECT_EQ(handshake.check_type(MsgType::kHello).kind, Kind::kProtocolError);
  EXPECT_EQ(handshake.check_type(MsgType::kResize).kind, Kind::kProtocolError);
  EXPECT_EQ(handshake.check_type(MsgType::kBye).kind, Kind::kContinue);
}

TEST(ServerHandshakeInsecure, ListRoomsOfAnotherVersionIsToldTheVersion) {
  const ServerAuthConfig auth;
  ServerHandshake handshake(auth, /*insecure=*/true);
  const HandshakeStep step =
      handshake.step(MsgType::kListRooms, std::vector<uint8_t>{kProtocolVersion + 1, 0});
  EXPECT_EQ(step.kind, Kind::kRefuse);
  EXPECT_EQ(step.reason, ByeReason::kVersionMismatch);
}

TEST(ServerHandshakeInsecure, NoProofOfARoomPasswordWithoutEncryption) {
  const ServerAuthConfig auth;
  ServerHandshake handshake(auth, /*insecure=*/true);
  const std::array<uint8_t, kSaltBytes> salt{};
  const std::optional<PasswordKey> key = PasswordKey::derive("pw", salt);
  ASSERT_TRUE(key);
  Hello hello = a_hello();
  hello.has_room_password = 1;  // whatever it carries, there is no transcript to check
  EXPECT_FALSE(handshake.proves_room_password(*key, hello));
}

TEST(ServerHandshakeInsecure, AGarbledHelloIsAProtocolError) {
  const ServerAuthConfig auth;
  ServerHandshake handshake(auth, /*insecure=*/true);
  const std::vector<uint8_t> garbage = {uint8_t(kProtocolVersion), 0, 0xFF};
  EXPECT_EQ(handshake.step(MsgType::kHello, garbage).kind, Kind::kProtocolError);
}

TEST_F(EncryptedServer, PlainHelloIsRefusedAsUnencrypted) {
  ServerHandshake handshake(auth, /*insecure=*/false);
  const HandshakeStep step = handshake.check_type(MsgType::kHello);
  EXPECT_EQ(step.kind, Kind::kRefuse);
  EXPECT_EQ(step.reason, ByeReason::kEncryptionRequired);
  EXPECT_EQ(handshake.check_type(MsgType::kPing).kind, Kind::kProtocolError);
}

TEST_F(EncryptedServer, KeyExchangeThenAuthThenHelloJoins) {
  ServerHandshake handshake(auth, /*insecure=*/false);
  ClientKeyExchange client;
  const HandshakeStep answer = handshake.step(MsgType::kKeyHello, payload_of(client.hello()));
  ASSERT_EQ(answer.kind, Kind::kAnswer);
  SessionKeys client_keys;
  ASSERT_TRUE(client.accept(answer.welcome, client_keys));
  EXPECT_EQ(client_keys.transmit, answer.keys.receive);  // both ends derived the same keys
  // Before Auth, a Hello is out of order.
  EXPECT_EQ(handshake.check_type(MsgType::kHello).kind, Kind::kProtocolError);

  const Identity me = Identity::generate();
  const HandshakeStep authed =
      handshake.step(MsgType::kAuth, payload_of(client.make_auth(me, nullptr)));
  ASSERT_EQ(authed.kind, Kind::kContinue);
  EXPECT_EQ(handshake.client_key().to_text(), me.public_key().to_text());
  EXPECT_EQ(handshake.step(MsgType::kHello, payload_of(a_hello())).kind, Kind::kJoin);
}

TEST_F(EncryptedServer, AWrongPasswordIsRefusedAndLoggedWithTheKey) {
  auth.password = PasswordKey::derive("right", auth.password_salt);
  ASSERT_TRUE(auth.password);
  ServerHandshake handshake(auth, /*insecure=*/false);
  ClientKeyExchange client;
  const HandshakeStep answer = handshake.step(MsgType::kKeyHello, payload_of(client.hello()));
  SessionKeys keys;
  ASSERT_TRUE(client.accept(answer.welcome, keys));
  const std::optional<PasswordKey> wrong = PasswordKey::derive("wrong", auth.password_salt);
  const HandshakeStep step =
      handshake.step(MsgType::kAuth, payload_of(client.make_auth(Identity::generate(), &*wrong)));
  EXPECT_EQ(step.kind, Kind::kRefuse);
  EXPECT_EQ(step.reason, ByeReason::kAuthFailed);
  EXPECT_EQ(step.text, "wrong password");
  EXPECT_TRUE(step.log_client_key);
}

// A room password is proven in the sealed Hello, bound to this connection's transcript and
// to the room's name.
TEST_F(EncryptedServer, ARoomPasswordProofHoldsOnlyForItsRoomAndConnection) {
  const std::optional<PasswordKey> room_key = PasswordKey::derive("room pw", auth.password_salt);
  const std::optional<PasswordKey> wrong_key = PasswordKey::derive("other", auth.password_salt);
  ASSERT_TRUE(room_key && wrong_key);
  auto connect = [&](ServerHandshake& handshake, ClientKeyExchange& client) {
    const HandshakeStep answer = handshake.step(MsgType::kKeyHello, payload_of(client.hello()));
    SessionKeys keys;
    ASSERT_TRUE(client.accept(answer.welcome, keys));
    ASSERT_EQ(
        handshake.step(MsgType::kAuth, payload_of(client.make_auth(Identity::generate(), nullptr)))
            .kind,
        Kind::kContinue);
  };
  ServerHandshake handshake(auth, /*insecure=*/false);
  ClientKeyExchange client;
  connect(handshake, client);
  Hello hello = a_hello();
  hello.room = Name::from("board");
  EXPECT_FALSE(handshake.proves_room_password(*room_key, hello));  // no proof at all
  client.prove_room_password(*room_key, hello);
  const HandshakeStep step = handshake.step(MsgType::kHello, payload_of(hello));
  ASSERT_EQ(step.kind, Kind::kJoin);
  EXPECT_TRUE(handshake.proves_room_password(*room_key, step.hello));
  EXPECT_FALSE(handshake.proves_room_password(*wrong_key, step.hello));  // another password

  Hello other_room = step.hello;  // the same proof, presented for another room
  other_room.room = Name::from("lobby");
  EXPECT_FALSE(handshake.proves_room_password(*room_key, other_room));

  ServerHandshake second(auth, /*insecure=*/false);  // replayed on another connection
  ClientKeyExchange second_client;
  connect(second, second_client);
  EXPECT_FALSE(second.proves_room_password(*room_key, step.hello));
}

}  // namespace
}  // namespace ttycall::net
