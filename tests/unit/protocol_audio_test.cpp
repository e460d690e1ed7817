// Protocol v1 audio payloads: AudioUp and AudioDown (docs/PROTOCOL.md, section 4). Each is a
// fixed part (encoded by encode(), checked by decode()) followed by one Opus packet, which
// decode() returns as a view into the payload.
#include <gtest/gtest.h>

#include <algorithm>
#include <array>
#include <random>
#include <vector>

#include "net/protocol.h"

namespace ttycall::net {
namespace {

using Buf = std::vector<uint8_t>;

// Little-endian byte string built field by field: the layout the document specifies.
class Bytes {
 public:
  Bytes& u8(uint64_t v) { return put(v, 1); }
  Bytes& u32(uint64_t v) { return put(v, 4); }
  Bytes& u64(uint64_t v) { return put(v, 8); }
  Bytes& fill(size_t n, uint8_t v) {
    buf_.insert(buf_.end(), n, v);
    return *this;
  }
  Buf take() const { return buf_; }

 private:
  Bytes& put(uint64_t v, int n) {
    for (int i = 0; i < n; ++i) buf_.push_back(uint8_t(v >> (8 * i)));
    return *this;
  }
  Buf buf_;
};

Buf opus_bytes(size_t n) {
  Buf b(n);
  for (size_t i = 0; i < n; ++i) b[i] = uint8_t(i * 7 + 3);
  return b;
}

template <class Header>
Buf payload(const Header& h, const Buf& opus) {
  Buf out(kAudioDownFixedSize + 4 * kMaxAudioSpeakers + opus.size());
  const size_t n = encode(h, out);
  EXPECT_GT(n, 0u);
  out.resize(n);
  out.insert(out.end(), opus.begin(), opus.end());
  return out;
}

AudioDownHeader sample_down(int speakers) {
  AudioDownHeader h;
  h.seq = 0xFFFFFFF0u;
  h.capture_us = 1'732'000'000'123'456ull;
  h.speaker_count = uint8_t(speakers);
  for (int i = 0; i < speakers; ++i) h.speakers[size_t(i)] = 1000u + uint32_t(i);
  return h;
}

// ---- AudioUp ----------------------------------------------------------------------------

TEST(ProtocolAudioUp, LayoutIsSeqCaptureFlagsThenOpus) {
  AudioUpHeader h;
  h.seq = 0x01020304;
  h.capture_us = 0x1122334455667788ull;
  h.flags = kAudioSilent;
  const Buf expected = Bytes().u32(0x01020304).u64(0x1122334455667788ull).u8(1).take();
  Buf out(64);
  ASSERT_EQ(encode(h, out), kAudioUpHeaderSize);
  out.resize(kAudioUpHeaderSize);
  EXPECT_EQ(out, expected);
}

TEST(ProtocolAudioUp, RoundTripReturnsOpusAsViewIntoPayload) {
  AudioUpHeader h;
  h.seq = 77;
  h.capture_us = 123456789;
  const Buf opus = opus_bytes(160);
  const Buf p = payload(h, opus);
  ASSERT_EQ(p.size(), kAudioUpHeaderSize + opus.size());

  AudioUpHeader got;
  std::span<const uint8_t> rest;
  ASSERT_TRUE(decode(p, got, rest));
  EXPECT_EQ(got.seq, 77u);
  EXPECT_EQ(got.capture_us, 123456789u);
  EXPECT_EQ(got.flags, 0);
  EXPECT_EQ(rest.data(), p.data() + kAudioUpHeaderSize);  // no copy
  EXPECT_TRUE(std::equal(rest.begin(), rest.end(), opus.begin(), opus.end()));
}

TEST(ProtocolAudioUp, OpusOfOneTo1275BytesIsAccepted) {
  for (const size_t n : {size_t(1), size_t(3), kMaxOpusPacketBytes}) {
    const Buf p = payload(AudioUpHeader{}, opus_bytes(n));
    AudioUpHeader got;
    std::span<const uint8_t> rest;
    EXPECT_TRUE(decode(p, got, rest)) << n;
    EXPECT_EQ(rest.size(), n);
  }
  EXPECT_LE(kAudioUpHeaderSize + kMaxOpusPacketBytes, max_payload(MsgType::kAudioUp));
}

TEST(ProtocolAudioUp, RejectsMissingOrOversizedOpusAndLeavesOutputUntouched) {
  const AudioUpHeader sentinel{9, 9, 0};
  for (const size_t n : {size_t(0), kMaxOpusPacketBytes + 1}) {
    const Buf p = payload(AudioUpHeader{1, 2, 0}, opus_bytes(n));
    AudioUpHeader got = sentinel;
    std::span<const uint8_t> rest;
    EXPECT_FALSE(decode(p, got, rest)) << n;
    EXPECT_EQ(got.seq, 9u);
    EXPECT_EQ(got.capture_us, 9u);
    EXPECT_TRUE(rest.empty());
  }
}

TEST(ProtocolAudioUp, RejectsReservedFlagBits) {
  for (int bit = 1; bit < 8; ++bit) {
    const Buf p = payload(AudioUpHeader{1, 2, uint8_t(1u << bit)}, opus_bytes(10));
    AudioUpHeader got;
    std::span<const uint8_t> rest;
    EXPECT_FALSE(decode(p, got, rest)) << bit;
  }
}

TEST(ProtocolAudioUp, RejectsEveryTruncationOfTheFixedPart) {
  const Buf full = payload(AudioUpHeader{1, 2, 1}, opus_bytes(0));
  for (size_t n = 0; n <= kAudioUpHeaderSize; ++n) {
    AudioUpHeader got;
    std::span<const uint8_t> rest;
    EXPECT_FALSE(decode(std::span<const uint8_t>(full.data(), n), got, rest)) << n;
  }
}

TEST(ProtocolAudioUp, EncodeRefusesABufferThatIsTooSmall) {
  std::array<uint8_t, kAudioUpHeaderSize - 1> small{};
  EXPECT_EQ(encode(AudioUpHeader{}, small), 0u);
}

// ---- AudioDown --------------------------------------------------------------------------

TEST(ProtocolAudioDown, LayoutIsSeqCaptureCountIdsThenOpus) {
  const AudioDownHeader h = sample_down(2);
  const Buf expected =
      Bytes().u32(0xFFFFFFF0u).u64(1'732'000'000'123'456ull).u8(2).u32(1000).u32(1001).take();
  Buf out(128);
  const size_t n = encode(h, out);
  ASSERT_EQ(n, kAudioDownFixedSize + 8);
  out.resize(n);
  EXPECT_EQ(out, expected);
}

TEST(ProtocolAudioDown, RoundTripWithNoneAndWithTheMostSpeakers) {
  for (const int speakers : {0, 1, kMaxAudioSpeakers}) {
    const AudioDownHeader h = sample_down(speakers);
    const Buf opus = opus_bytes(kMaxOpusPacketBytes);
    const Buf p = payload(h, opus);
    EXPECT_LE(p.size(), max_payload(MsgType::kAudioDown));

    AudioDownHeader got;
    std::span<const uint8_t> rest;
    ASSERT_TRUE(decode(p, got, rest)) << speakers;
    EXPECT_EQ(got.seq, h.seq);
    EXPECT_EQ(got.capture_us, h.capture_us);
    ASSERT_EQ(got.speaker_count, speakers);
    for (int i = 0; i < speakers; ++i) EXPECT_EQ(got.speakers[size_t(i)], h.speakers[size_t(i)]);
    EXPECT_EQ(rest.data(), p.data() + kAudioDownFixedSize + 4 * size_t(speakers));
    EXPECT_TRUE(std::equal(rest.begin(), rest.end(), opus.begin(), opus.end()));
  }
}

TEST(ProtocolAudioDown, RejectsTooManySpeakers) {
  AudioDownHeader h = sample_down(kMaxAudioSpeakers);
  h.speaker_count = kMaxAudioSpeakers + 1;
  Buf out(256);
  EXPECT_EQ(encode(h, out), 0u);

  Bytes b;
  b.u32(1).u64(2).u8(kMaxAudioSpeakers + 1);
  for (int i = 0; i < kMaxAudioSpeakers + 1; ++i) b.u32(uint64_t(i));
  b.fill(20, 0xAB);
  const Buf p = b.take();
  AudioDownHeader got;
  std::span<const uint8_t> rest;
  EXPECT_FALSE(decode(p, got, rest));
}

TEST(ProtocolAudioDown, RejectsTruncatedSpeakerListAndMissingOpus) {
  AudioDownHeader got;
  std::span<const uint8_t> rest;
  // Three speakers announced, only two ids and no Opus bytes.
  const Buf short_list = Bytes().u32(1).u64(2).u8(3).u32(7).u32(8).take();
  EXPECT_FALSE(decode(short_list, got, rest));
  // The ids complete, but nothing after them.
  const Buf no_opus = Bytes().u32(1).u64(2).u8(2).u32(7).u32(8).take();
  EXPECT_FALSE(decode(no_opus, got, rest));
  // Too much Opus.
  const Buf big = payload(sample_down(0), opus_bytes(kMaxOpusPacketBytes + 1));
  EXPECT_FALSE(decode(big, got, rest));
}

// ---- framing and robustness -------------------------------------------------------------

TEST(ProtocolAudio, APacketBuiltByHandPassesTheHeaderAndCrcChecks) {
  const Buf p = payload(sample_down(3), opus_bytes(200));
  Buf packet(kHeaderSize + p.size());
  std::copy(p.begin(), p.end(), packet.begin() + kHeaderSize);
  write_header(MsgType::kAudioDown, p, std::span<uint8_t, kHeaderSize>(packet.data(), kHeaderSize));

  Header h;
  ASSERT_EQ(parse_header(std::span<const uint8_t, kHeaderSize>(packet.data(), kHeaderSize), h),
            HeaderError::kOk);
  EXPECT_EQ(h.type, MsgType::kAudioDown);
  EXPECT_EQ(h.length, p.size());
  EXPECT_TRUE(payload_crc_matches(h, std::span<const uint8_t>(packet).subspan(kHeaderSize)));
  EXPECT_EQ(to_string(MsgType::kAudioUp), "AudioUp");
}

TEST(ProtocolAudio, RandomPayloadsNeverCrashAndAcceptedOnesReencodeExactly) {
  std::mt19937 rng(1234);
  int accepted_up = 0, accepted_down = 0;
  for (int iter = 0; iter < 20000; ++iter) {
    Buf p(rng() % 120);
    for (auto& b : p) b = uint8_t(rng());
    if (!p.empty() && (iter & 1)) p[std::min<size_t>(12, p.size() - 1)] &= 0x03;  // often valid
    std::span<const uint8_t> rest;

    AudioUpHeader up;
    if (decode(p, up, rest)) {
      ++accepted_up;
      Buf again(kAudioUpHeaderSize);
      ASSERT_EQ(encode(up, again), kAudioUpHeaderSize);
      ASSERT_TRUE(std::equal(again.begin(), again.end(), p.begin()));
      ASSERT_EQ(rest.size(), p.size() - kAudioUpHeaderSize);
    }
    AudioDownHeader down;
    if (decode(p, down, rest)) {
      ++accepted_down;
      Buf again(256);
      const size_t n = encode(down, again);
      ASSERT_GT(n, 0u);
      ASSERT_TRUE(std::equal(again.begin(), again.begin() + long(n), p.begin()));
      ASSERT_EQ(rest.size(), p.size() - n);
    }
  }
  EXPECT_GT(accepted_up, 100);
  EXPECT_GT(accepted_down, 10);
}

}  // namespace
}  // namespace ttycall::net
