// Specification of net::PacketReader (src/net/packet_reader.h): the checks every received
// packet passes, at both ends, before its payload is handed on.
#include "net/packet_reader.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <array>

namespace ttycall::net {
namespace {

// Puts a built packet's header into the reader and checks it.
bool feed_header(PacketReader& reader, std::span<const uint8_t> packet, ReadFailure& failure) {
  std::copy_n(packet.begin(), kHeaderSize, reader.header_bytes().begin());
  return reader.check_header(failure);
}

// Puts the payload of the same packet (`size` bytes in all) where the reader wants it.
std::span<uint8_t> feed_payload(PacketReader& reader, std::span<const uint8_t> packet,
                                size_t size) {
  std::span<uint8_t> target = reader.own_payload_buffer();
  std::copy(packet.begin() + kHeaderSize, packet.begin() + size, target.begin());
  return target;
}

TEST(PacketReader, AcceptsAPlainPacketAndOpensItsPayload) {
  SecureChannel channel;
  PacketReader reader(channel);
  std::array<uint8_t, 64> packet{};
  const size_t n = build_packet(MsgType::kPing, Ping{1234}, packet);
  ReadFailure failure{};
  ASSERT_TRUE(feed_header(reader, packet, failure));
  EXPECT_EQ(reader.header().type, MsgType::kPing);
  ASSERT_EQ(reader.own_payload_buffer().size(), n - kHeaderSize);
  std::span<uint8_t> target = feed_payload(reader, packet, n);
  std::span<const uint8_t> payload;
  ASSERT_TRUE(reader.open_payload(target, payload, failure));
  Ping ping;
  ASSERT_TRUE(decode(payload, ping));
  EXPECT_EQ(ping.timestamp_us, 1234u);
}

TEST(PacketReader, RefusesABadCrc) {
  SecureChannel channel;
  PacketReader reader(channel);
  std::array<uint8_t, 64> packet{};
  const size_t n = build_packet(MsgType::kPing, Ping{1}, packet);
  ReadFailure failure{};
  ASSERT_TRUE(feed_header(reader, packet, failure));
  std::span<uint8_t> target = feed_payload(reader, packet, n);
  target[0] ^= 1;
  std::span<const uint8_t> payload;
  EXPECT_FALSE(reader.open_payload(target, payload, failure));
  EXPECT_EQ(failure, ReadFailure::kCrcMismatch);
  EXPECT_EQ(reader.describe(failure), "payload CRC mismatch");
}

TEST(PacketReader, RefusesAnotherVersionAndABadHeader) {
  SecureChannel channel;
  PacketReader reader(channel);
  std::array<uint8_t, 64> packet{};
  build_packet(MsgType::kPing, Ping{1}, packet);
  packet[4] = kProtocolVersion + 1;
  ReadFailure failure{};
  EXPECT_FALSE(feed_header(reader, packet, failure));
  EXPECT_EQ(failure, ReadFailure::kOtherVersion);
  packet[0] = 'X';
  EXPECT_FALSE(feed_header(reader, packet, failure));
  EXPECT_EQ(failure, ReadFailure::kBadHeader);
}

TEST(PacketReader, RefusesPlainPacketsOnceTheChannelIsOn) {
  SecureChannel channel;
  channel.enable(SessionKeys{});
  PacketReader reader(channel);
  std::array<uint8_t, 64> packet{};
  build_packet(MsgType::kPing, Ping{1}, packet);
  ReadFailure failure{};
  EXPECT_FALSE(feed_header(reader, packet, failure));
  EXPECT_EQ(failure, ReadFailure::kPlainAfterKeys);
}

TEST(PacketReader, OpensWhatTheOtherEndSealed) {
  SessionKeys a, b;
  a.transmit.fill(7);
  b.receive.fill(7);
  SecureChannel sender, receiver;
  sender.enable(a);
  receiver.enable(b);
  PacketReader reader(receiver);
  std::array<uint8_t, 64> packet{};
  size_t n = build_packet(MsgType::kPing, Ping{42}, packet);
  n = sender.seal(packet, n);
  ReadFailure failure{};
  ASSERT_TRUE(feed_header(reader, packet, failure));
  std::span<uint8_t> target = feed_payload(reader, packet, n);
  std::span<const uint8_t> payload;
  ASSERT_TRUE(reader.open_payload(target, payload, failure));
  Ping ping;
  ASSERT_TRUE(decode(payload, ping));
  EXPECT_EQ(ping.timestamp_us, 42u);
}

TEST(PacketReader, ItsOwnBufferFitsEveryControlAndAudioPacket) {
  SecureChannel channel;
  channel.enable(SessionKeys{});
  PacketReader reader(channel);
  for (int t = 0; t < 256; ++t) {
    const MsgType type = MsgType(t);
    if (max_payload(type) == 0 || is_video(type)) continue;
    std::array<uint8_t, kHeaderSize> header{};
    std::array<uint8_t, 1> empty{};
    write_header(type, std::span<const uint8_t>(empty.data(), 0), header);
    // A sealed header at the type's largest size.
    header[6] = 1;
    const uint32_t length = uint32_t(max_payload(type) + kSealOverhead);
    std::copy_n(reinterpret_cast<const uint8_t*>(&length), 4, header.begin() + 8);
    std::copy(header.begin(), header.end(), reader.header_bytes().begin());
    ReadFailure failure{};
    ASSERT_TRUE(reader.check_header(failure)) << to_string(type);
    EXPECT_EQ(reader.own_payload_buffer().size(), length) << to_string(type);
  }
}

}  // namespace
}  // namespace ttycall::net
