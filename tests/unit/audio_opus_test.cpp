// Opus codec wrapper (src/media/audio/opus_codec.h): a tone survives the round trip, lost
// frames are concealed or recovered from FEC, and encoder state can be handed over.
#include "media/audio/opus_codec.h"

#include <gtest/gtest.h>
#include <opus.h>

#include <array>
#include <cmath>
#include <vector>

#include "media/audio/dsp.h"
#include "media/audio/tone.h"

namespace ttycall::media::audio {
namespace {

using Packet = std::vector<uint8_t>;
using PcmFrame = std::array<float, kFrameSamples>;

std::vector<Packet> encode_tone(OpusEncoder& enc, double hz, int frames, float amplitude = 0.3f) {
  SineSource sine(hz, amplitude);
  std::vector<Packet> packets;
  PcmFrame pcm;
  std::array<uint8_t, kMaxOpusPacketBytes> buf;
  for (int i = 0; i < frames; ++i) {
    sine.fill(pcm);
    const size_t n = enc.encode(pcm, buf);
    EXPECT_GT(n, 0u);
    packets.emplace_back(buf.begin(), buf.begin() + long(n));
  }
  return packets;
}

TEST(AudioOpus, RoundTripKeepsATone) {
  OpusEncoder enc;
  OpusDecoder dec;
  ASSERT_TRUE(enc.ok());
  ASSERT_TRUE(dec.ok());
  const auto packets = encode_tone(enc, 440, 50);
  std::vector<float> out;
  PcmFrame pcm;
  for (const Packet& p : packets) {
    EXPECT_LE(p.size(), kMaxOpusPacketBytes);
    ASSERT_TRUE(dec.decode(p, pcm));
    out.insert(out.end(), pcm.begin(), pcm.end());
  }
  const std::span<const float> steady = std::span<const float>(out).last(24000);
  EXPECT_NEAR(goertzel_amplitude(steady, 440), 0.3f, 0.05f);
  EXPECT_LT(goertzel_amplitude(steady, 1000), 0.01f);
  EXPECT_LT(goertzel_amplitude(steady, 660), 0.01f);
}

TEST(AudioOpus, ConcealmentWritesAWholeFrameThatContinuesTheSignal) {
  OpusEncoder enc;
  OpusDecoder dec;
  PcmFrame pcm;
  for (const Packet& p : encode_tone(enc, 440, 20)) dec.decode(p, pcm);

  PcmFrame concealed;
  concealed.fill(99.0f);  // PLC must overwrite every sample
  dec.conceal(concealed);
  for (const float s : concealed) {
    ASSERT_TRUE(std::isfinite(s));
    ASSERT_LE(std::fabs(s), 1.0f);
  }
  EXPECT_GT(goertzel_amplitude(concealed, 440), 0.05f);  // a continuation, not a gap

  // Repeated concealment fades out instead of droning on.
  for (int i = 0; i < 50; ++i) dec.conceal(concealed);
  EXPECT_LT(rms_dbfs(concealed), -40.0f);
}

TEST(AudioOpus, FecRecoversALostFrameFromTheNextPacket) {
  OpusEncoderOptions options;
  options.expected_loss_percent = 20;
  OpusEncoder enc(options);
  OpusDecoder dec;
  const auto packets = encode_tone(enc, 440, 30);
  PcmFrame pcm;
  for (int i = 0; i < 20; ++i) dec.decode(packets[size_t(i)], pcm);
  // Packet 20 is lost; 21 has arrived.
  PcmFrame recovered;
  dec.decode_fec(packets[21], recovered);
  EXPECT_GT(goertzel_amplitude(recovered, 440), 0.1f);
  EXPECT_TRUE(dec.decode(packets[21], pcm));
  EXPECT_GT(goertzel_amplitude(pcm, 440), 0.1f);
}

TEST(AudioOpus, CorruptOrWrongSizedInputIsRefusedWithoutHarm) {
  OpusEncoder enc;
  OpusDecoder dec;
  PcmFrame pcm;
  std::array<uint8_t, kMaxOpusPacketBytes> buf;
  std::vector<float> short_frame(480, 0.0f);
  EXPECT_EQ(enc.encode(short_frame, buf), 0u);
  std::array<uint8_t, 0> none;
  PcmFrame silence{};
  EXPECT_EQ(enc.encode(silence, none), 0u);

  pcm.fill(5.0f);
  const std::array<uint8_t, 3> garbage = {0xFF, 0xFF, 0xFF};
  EXPECT_FALSE(dec.decode(garbage, pcm));
  for (const float s : pcm) ASSERT_LE(std::fabs(s), 1.0f);  // concealed instead
  EXPECT_FALSE(dec.decode({}, pcm));
}

TEST(AudioOpus, APacketOfAnotherDurationIsRefused) {
  int error = 0;
  ::OpusEncoder* raw = opus_encoder_create(kSampleRate, 1, OPUS_APPLICATION_VOIP, &error);
  ASSERT_EQ(error, OPUS_OK);
  std::array<float, kFrameSamples / 2> half{};  // 10 ms
  std::array<uint8_t, kMaxOpusPacketBytes> buf;
  const int n = opus_encode_float(raw, half.data(), int(half.size()), buf.data(), int(buf.size()));
  opus_encoder_destroy(raw);
  ASSERT_GT(n, 0);
  OpusDecoder dec;
  PcmFrame pcm;
  EXPECT_FALSE(dec.decode(std::span<const uint8_t>(buf.data(), size_t(n)), pcm));
}

TEST(AudioOpus, CopiedEncoderStateContinuesTheSameStream) {
  OpusEncoder a, b;
  encode_tone(a, 440, 10);
  encode_tone(b, 660, 3);  // b has another history
  b.copy_state_from(a);
  SineSource sine(440, 0.3f);
  PcmFrame pcm;
  sine.fill(pcm);
  std::array<uint8_t, kMaxOpusPacketBytes> pa, pb;
  const size_t na = a.encode(pcm, pa);
  const size_t nb = b.encode(pcm, pb);
  ASSERT_GT(na, 0u);
  ASSERT_EQ(na, nb);
  EXPECT_TRUE(std::equal(pa.begin(), pa.begin() + long(na), pb.begin()));
}

TEST(AudioOpus, BitrateIsAdjustable) {
  OpusEncoderOptions low;
  low.bitrate_bps = 12000;
  OpusEncoderOptions high;
  high.bitrate_bps = 64000;
  OpusEncoder small(low), big(high);
  size_t small_bytes = 0, big_bytes = 0;
  for (const Packet& p : encode_tone(small, 440, 25)) small_bytes += p.size();
  for (const Packet& p : encode_tone(big, 440, 25)) big_bytes += p.size();
  EXPECT_LT(small_bytes * 2, big_bytes);
  EXPECT_TRUE(small.set_bitrate(24000));
}

}  // namespace
}  // namespace ttycall::media::audio
