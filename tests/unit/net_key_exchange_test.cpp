#include "net/key_exchange.h"

#include <gtest/gtest.h>
#include <sodium.h>

#include <vector>

#include "net/keys.h"

namespace ttycall::net {
namespace {

struct Handshake {
  KeyWelcome welcome;
  SessionKeys server_keys;
  SessionKeys client_keys;
  bool accepted = false;
};

Handshake run(ServerKeyExchange& server, ClientKeyExchange& client) {
  Handshake h;
  EXPECT_TRUE(server.answer(client.hello(), h.welcome, h.server_keys));
  h.accepted = client.accept(h.welcome, h.client_keys);
  return h;
}

ServerAuthConfig plain_config() {
  ServerAuthConfig config;
  config.identity = Identity::generate();
  return config;
}

TEST(KeyExchange, BothSidesDeriveMatchingKeysAndTheClientLearnsTheServersIdentity) {
  const ServerAuthConfig config = plain_config();
  ServerKeyExchange server(config);
  ClientKeyExchange client;
  const Handshake h = run(server, client);
  ASSERT_TRUE(h.accepted);
  EXPECT_EQ(h.client_keys.transmit, h.server_keys.receive);
  EXPECT_EQ(h.client_keys.receive, h.server_keys.transmit);
  EXPECT_NE(h.client_keys.transmit, h.client_keys.receive);
  EXPECT_EQ(client.server_identity(), config.identity->public_key());
  EXPECT_EQ(h.welcome.requirements, 0);

  const Identity me = Identity::generate();
  PublicKey seen;
  EXPECT_EQ(server.check(client.make_auth(me, nullptr), seen), AuthVerdict::kOk);
  EXPECT_EQ(seen, me.public_key());
}

TEST(KeyExchange, EachConnectionGetsFreshKeys) {
  const ServerAuthConfig config = plain_config();
  ServerKeyExchange s1(config), s2(config);
  ClientKeyExchange c1, c2;
  const Handshake a = run(s1, c1), b = run(s2, c2);
  EXPECT_NE(a.client_keys.transmit, b.client_keys.transmit);
}

TEST(KeyExchange, AnyAlteredWelcomeIsRefusedByTheClient) {
  const ServerAuthConfig config = plain_config();
  const size_t size = max_payload(MsgType::kKeyWelcome);
  size_t forged_count = 0;
  for (size_t at = 0; at < size; ++at) {
    // A fresh exchange per byte: a client accepts one welcome per connection.
    ServerKeyExchange server(config);
    ClientKeyExchange client;
    KeyWelcome real;
    SessionKeys server_keys;
    ASSERT_TRUE(server.answer(client.hello(), real, server_keys));
    std::vector<uint8_t> bytes(size);
    ASSERT_EQ(encode(real, bytes), size);
    bytes[at] ^= 0x40;
    KeyWelcome forged;
    SessionKeys client_keys;
    if (!decode(bytes, forged)) continue;  // refused as malformed already
    ++forged_count;
    EXPECT_FALSE(client.accept(forged, client_keys)) << "byte " << at;
  }
  // Only the requirements byte turns malformed; every other forgery reached accept().
  EXPECT_EQ(forged_count, size - 1);
}

TEST(KeyExchange, AManInTheMiddleWithItsOwnIdentityIsSeenAsADifferentServer) {
  const ServerAuthConfig real = plain_config();
  const ServerAuthConfig impostor = plain_config();
  ServerKeyExchange server(impostor);
  ClientKeyExchange client;
  const Handshake h = run(server, client);
  ASSERT_TRUE(h.accepted);  // a valid signature, but by another key: known_hosts refuses it
  EXPECT_NE(client.server_identity(), real.identity->public_key());
}

TEST(KeyExchange, PasswordIsCheckedWithoutBeingSent) {
  ServerAuthConfig config = plain_config();
  randombytes_buf(config.password_salt.data(), config.password_salt.size());
  config.password = PasswordKey::derive("correct horse", config.password_salt);
  ASSERT_TRUE(config.password);
  const Identity me = Identity::generate();
  PublicKey seen;
  {
    ServerKeyExchange server(config);
    ClientKeyExchange client;
    const Handshake h = run(server, client);
    ASSERT_TRUE(h.accepted);
    EXPECT_EQ(h.welcome.requirements, kNeedsPassword);
    EXPECT_EQ(h.welcome.password_salt, config.password_salt);
    const auto key = PasswordKey::derive("correct horse", h.welcome.password_salt);
    const Auth auth = client.make_auth(me, &*key);
    EXPECT_EQ(server.check(auth, seen), AuthVerdict::kOk);
    // The proof is bound to this connection's transcript: replayed elsewhere it fails.
    ServerKeyExchange other(config);
    ClientKeyExchange other_client;
    run(other, other_client);
    Auth replay = other_client.make_auth(me, nullptr);
    replay.has_password = 1;
    replay.password_proof = auth.password_proof;
    EXPECT_EQ(other.check(replay, seen), AuthVerdict::kWrongPassword);
  }
  {
    ServerKeyExchange server(config);
    ClientKeyExchange client;
    const Handshake h = run(server, client);
    const auto wrong = PasswordKey::derive("wrong horse", h.welcome.password_salt);
    EXPECT_EQ(server.check(client.make_auth(me, &*wrong), seen), AuthVerdict::kWrongPassword);
  }
  {
    ServerKeyExchange server(config);
    ClientKeyExchange client;
    run(server, client);
    EXPECT_EQ(server.check(client.make_auth(me, nullptr), seen), AuthVerdict::kPasswordMissing);
  }
}

TEST(KeyExchange, AllowedKeysLetInOnlyThoseKeys) {
  const Identity friend_key = Identity::generate();
  const Identity stranger = Identity::generate();
  ServerAuthConfig config = plain_config();
  config.restrict_keys = true;
  config.allowed_keys = {friend_key.public_key()};
  PublicKey seen;
  {
    ServerKeyExchange server(config);
    ClientKeyExchange client;
    const Handshake h = run(server, client);
    EXPECT_EQ(h.welcome.requirements, kNeedsAllowedKey);
    EXPECT_EQ(server.check(client.make_auth(friend_key, nullptr), seen), AuthVerdict::kOk);
  }
  {
    ServerKeyExchange server(config);
    ClientKeyExchange client;
    run(server, client);
    EXPECT_EQ(server.check(client.make_auth(stranger, nullptr), seen), AuthVerdict::kKeyNotAllowed);
    EXPECT_EQ(seen, stranger.public_key());
  }
}

TEST(KeyExchange, ClaimingSomeoneElsesKeyFailsTheSignature) {
  const Identity friend_key = Identity::generate();
  const Identity thief = Identity::generate();
  ServerAuthConfig config = plain_config();
  config.restrict_keys = true;
  config.allowed_keys = {friend_key.public_key()};
  ServerKeyExchange server(config);
  ClientKeyExchange client;
  run(server, client);
  Auth auth = client.make_auth(thief, nullptr);
  auth.identity = friend_key.public_key().bytes;  // the thief has no friend's secret
  PublicKey seen;
  EXPECT_EQ(server.check(auth, seen), AuthVerdict::kBadSignature);
}

TEST(KeyExchange, LowOrderExchangeKeyIsRefused) {
  const ServerAuthConfig config = plain_config();
  ServerKeyExchange server(config);
  KeyHello hello;  // all-zero X25519 key: a shared secret of zero
  KeyWelcome welcome;
  SessionKeys keys;
  EXPECT_FALSE(server.answer(hello, welcome, keys));
}

}  // namespace
}  // namespace ttycall::net
