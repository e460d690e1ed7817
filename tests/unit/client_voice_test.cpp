// The client's Voice on the receiving side: what arrives through the jitter buffer to the
// output (a WAV file here), decoded, or for the load generator's receive-only clients
// counted but not decoded.
#include <gtest/gtest.h>
#include <unistd.h>

#include <array>
#include <chrono>
#include <cmath>
#include <filesystem>
#include <string>
#include <thread>
#include <vector>

#include "client/voice.h"
#include "core/clock.h"
#include "media/audio/opus_codec.h"
#include "media/audio/tone.h"
#include "media/audio/wav_file.h"
#include "net/protocol.h"

#include <nlohmann/json.hpp>

namespace ttycall::client {
namespace {

namespace audio = media::audio;

// Plays 40 ticks of a 440 Hz tone, one packet a tick at the voice's real pace (the jitter
// buffer holds packets by the clock), into a WAV file; returns the RMS of what was played.
double played_rms(bool decode_received, uint64_t& packets_received) {
  const std::string path = (std::filesystem::temp_directory_path() /
                            ("ttycall_voice_test_" + std::to_string(::getpid()) + ".wav"))
                               .string();
  {
    VoiceOptions options;
    options.output = "file:" + path;
    options.decode_received = decode_received;
    core::Result<std::unique_ptr<Voice>> voice = Voice::open(options);
    EXPECT_TRUE(voice.is_ok()) << voice.status().message();
    if (!voice.is_ok()) return -1;
    audio::OpusEncoder encoder;
    audio::SineSource tone(440, 0.5f);
    std::array<float, audio::kFrameSamples> frame{};
    std::array<uint8_t, net::kMaxOpusPacketBytes> opus{};
    for (uint32_t seq = 0; seq < 40; ++seq) {
      tone.fill(frame);
      const size_t n = encoder.encode(frame, opus);
      EXPECT_GT(n, 0u);
      net::AudioDownHeader header;
      header.seq = seq;
      header.capture_us = core::wall_clock_us();
      (*voice)->receive(header, {opus.data(), n});
      (*voice)->play();
      std::this_thread::sleep_for(std::chrono::milliseconds(audio::kFrameMs));
    }
    nlohmann::json stats;
    (*voice)->write_stats(stats);
    packets_received = stats.at("packets_received").get<uint64_t>();
  }
  audio::WavReader reader;
  EXPECT_TRUE(reader.open(path).is_ok());
  std::vector<float> samples(40 * audio::kFrameSamples);
  samples.resize(reader.read(samples));
  reader.close();
  std::filesystem::remove(path);
  double sum = 0;
  for (float s : samples) sum += double(s) * s;
  return samples.empty() ? 0 : std::sqrt(sum / double(samples.size()));
}

TEST(Voice, DecodesWhatArrivesOrForAReceiveOnlyClientOnlyCountsIt) {
  uint64_t decoded_packets = 0, counted_packets = 0;
  const double decoded = played_rms(true, decoded_packets);
  const double counted = played_rms(false, counted_packets);
  EXPECT_GT(decoded, 0.1) << "the tone (RMS 0.35) was played";
  EXPECT_EQ(counted, 0.0) << "a receive-only voice plays silence";
  EXPECT_EQ(decoded_packets, 40u);
  EXPECT_EQ(counted_packets, 40u) << "and still counts every packet";
}

}  // namespace
}  // namespace ttycall::client
