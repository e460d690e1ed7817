#include "net/secure_channel.h"

#include <gtest/gtest.h>
#include <sodium.h>

#include <array>
#include <vector>

#include "net/keys.h"
#include "net/protocol.h"

namespace ttycall::net {
namespace {

struct Pair {
  SecureChannel sender;
  SecureChannel receiver;
};

// Two ends of one direction: the sender's transmit key is the receiver's receive key.
void connect(Pair& p) {
  ensure_sodium();
  SessionKeys a, b;
  randombytes_buf(a.transmit.data(), a.transmit.size());
  randombytes_buf(a.receive.data(), a.receive.size());
  b.receive = a.transmit;
  b.transmit = a.receive;
  p.sender.enable(a);
  p.receiver.enable(b);
}

std::vector<uint8_t> sealed_ping(SecureChannel& channel, uint64_t stamp) {
  std::vector<uint8_t> packet(kHeaderSize + 8 + kSealOverhead);
  const size_t n = build_packet(MsgType::kPing, Ping{stamp}, packet);
  EXPECT_EQ(n, kHeaderSize + 8);
  const size_t sealed = channel.seal(packet, n);
  EXPECT_EQ(sealed, n + kSealOverhead);
  packet.resize(sealed);
  return packet;
}

// Parses, checks the CRC and opens a packet as a session does; the Ping's stamp, or -1.
int64_t receive(SecureChannel& channel, std::vector<uint8_t> packet) {
  Header header;
  std::span<const uint8_t, kHeaderSize> head(packet.data(), kHeaderSize);
  if (parse_header(head, header) != HeaderError::kOk || !header.sealed()) return -1;
  std::span<uint8_t> payload(packet.data() + kHeaderSize, packet.size() - kHeaderSize);
  if (!payload_crc_matches(header, payload)) return -1;
  bool ok = false;
  const auto plain = channel.open(head, payload, ok);
  Ping ping;
  if (!ok || !decode(plain, ping)) return -1;
  return int64_t(ping.timestamp_us);
}

// Flips one byte and repairs the CRC, as an attacker would: only the AEAD can notice.
std::vector<uint8_t> tampered(std::vector<uint8_t> packet, size_t at) {
  packet[at] ^= 0x01;
  std::array<uint8_t, kHeaderSize> header;
  std::copy_n(packet.begin(), kHeaderSize, header.begin());
  const std::span<const uint8_t> payload(packet.data() + kHeaderSize, packet.size() - kHeaderSize);
  std::array<uint8_t, kHeaderSize> fresh;
  write_header(MsgType::kPing, payload, fresh);
  std::copy_n(fresh.begin() + 12, 4, packet.begin() + 12);  // only the CRC
  return packet;
}

TEST(SecureChannel, SealedPacketsOpenInOrder) {
  Pair p;
  connect(p);
  for (uint64_t i = 0; i < 100; ++i)
    EXPECT_EQ(receive(p.receiver, sealed_ping(p.sender, i)), int64_t(i));
  EXPECT_EQ(p.sender.packets_sealed(), 100u);
  EXPECT_EQ(p.receiver.packets_opened(), 100u);
}

TEST(SecureChannel, PayloadIsNotSentInTheClear) {
  Pair p;
  connect(p);
  const uint64_t stamp = 0x1122334455667788ull;
  const auto packet = sealed_ping(p.sender, stamp);
  std::array<uint8_t, 8> plain;
  for (int i = 0; i < 8; ++i) plain[i] = uint8_t(stamp >> (8 * i));
  EXPECT_EQ(std::search(packet.begin(), packet.end(), plain.begin(), plain.end()), packet.end());
}

TEST(SecureChannel, EveryTamperedByteIsRejected) {
  // Header fields (magic .. length) are authenticated, payload and tag are authenticated.
  SecureChannel sender;
  std::vector<uint8_t> original;
  SessionKeys keys;
  ensure_sodium();
  randombytes_buf(keys.transmit.data(), keys.transmit.size());
  sender.enable(keys);
  original = sealed_ping(sender, 42);
  SessionKeys receive_keys;
  receive_keys.receive = keys.transmit;
  for (size_t at = 0; at < original.size(); ++at) {
    if (at >= 12 && at < kHeaderSize) continue;  // the CRC itself: repaired by tampered()
    SecureChannel receiver;
    receiver.enable(receive_keys);
    EXPECT_EQ(receive(receiver, tampered(original, at)), -1) << "byte " << at;
  }
  SecureChannel receiver;
  receiver.enable(receive_keys);
  EXPECT_EQ(receive(receiver, original), 42);
}

TEST(SecureChannel, ReplayedAndReorderedPacketsAreRejected) {
  Pair p;
  connect(p);
  const auto first = sealed_ping(p.sender, 1);
  const auto second = sealed_ping(p.sender, 2);
  EXPECT_EQ(receive(p.receiver, first), 1);
  EXPECT_EQ(receive(p.receiver, first), -1) << "a replay";
  EXPECT_EQ(receive(p.receiver, second), 2) << "the real stream goes on";

  Pair q;
  connect(q);
  const auto a = sealed_ping(q.sender, 1);
  const auto b = sealed_ping(q.sender, 2);
  EXPECT_EQ(receive(q.receiver, b), -1) << "out of order";
  EXPECT_EQ(receive(q.receiver, a), 1);
}

TEST(SecureChannel, AnotherConnectionsKeyCannotOpen) {
  Pair p, q;
  connect(p);
  connect(q);
  EXPECT_EQ(receive(q.receiver, sealed_ping(p.sender, 7)), -1);
}

TEST(SecureChannel, SealToLeavesTheSharedPacketUntouched) {
  Pair p;
  connect(p);
  std::vector<uint8_t> shared(kHeaderSize + 8);
  ASSERT_EQ(build_packet(MsgType::kPing, Ping{99}, shared), shared.size());
  const auto copy = shared;
  std::vector<uint8_t> out(shared.size() + kSealOverhead);
  ASSERT_EQ(p.sender.seal_to(shared, out), out.size());
  EXPECT_EQ(shared, copy);
  EXPECT_EQ(receive(p.receiver, out), 99);
  std::vector<uint8_t> small(shared.size() + kSealOverhead - 1);
  EXPECT_EQ(p.sender.seal_to(shared, small), 0u);
}

TEST(SecureChannel, UnsealedPacketDoesNotOpen) {
  Pair p;
  connect(p);
  std::vector<uint8_t> packet(kHeaderSize + 8);
  ASSERT_EQ(build_packet(MsgType::kPing, Ping{5}, packet), packet.size());
  bool ok = true;
  std::span<uint8_t> payload(packet.data() + kHeaderSize, 8);
  p.receiver.open(std::span<const uint8_t, kHeaderSize>(packet.data(), kHeaderSize), payload, ok);
  EXPECT_FALSE(ok);
}

}  // namespace
}  // namespace ttycall::net
