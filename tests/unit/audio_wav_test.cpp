// WAV files (src/media/audio/wav_file.h): what the writer records the reader gives back,
// other layouts are converted or refused with a message that says why.
#include "media/audio/wav_file.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdio>
#include <cstring>
#include <filesystem>
#include <string>
#include <vector>

#include "media/audio/tone.h"

namespace ttycall::media::audio {
namespace {

class AudioWav : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ =
        std::filesystem::temp_directory_path() / ("ttycall_wav_test_" + std::to_string(::getpid()));
    std::filesystem::create_directories(dir_);
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }
  std::string path(const char* name) const { return (dir_ / name).string(); }

  // Writes a WAV with any header fields, for testing what the reader accepts.
  void write_raw(const std::string& file, uint16_t format, uint16_t channels, uint32_t rate,
                 uint16_t bits, const std::vector<int16_t>& samples, bool extra_chunk = false) {
    std::vector<uint8_t> b;
    auto u16 = [&](uint32_t v) {
      b.push_back(uint8_t(v));
      b.push_back(uint8_t(v >> 8));
    };
    auto u32 = [&](uint32_t v) {
      u16(v & 0xFFFF);
      u16(v >> 16);
    };
    auto tag = [&](const char* t) {
      for (int i = 0; i < 4; ++i) b.push_back(uint8_t(t[i]));
    };
    const uint32_t data = uint32_t(samples.size() * 2);
    tag("RIFF");
    u32(36 + data + (extra_chunk ? 14 : 0));
    tag("WAVE");
    if (extra_chunk) {
      tag("LIST");
      u32(5);  // odd size: padded to 6
      b.insert(b.end(), {'h', 'e', 'l', 'l', 'o', 0});
    }
    tag("fmt ");
    u32(16);
    u16(format);
    u16(channels);
    u32(rate);
    u32(rate * channels * bits / 8);
    u16(channels * bits / 8);
    u16(bits);
    tag("data");
    u32(data);
    for (const int16_t s : samples) u16(uint16_t(s));
    std::FILE* f = std::fopen(file.c_str(), "wb");
    ASSERT_NE(f, nullptr);
    std::fwrite(b.data(), 1, b.size(), f);
    std::fclose(f);
  }

  std::filesystem::path dir_;
};

std::vector<float> read_all(WavReader& r) {
  std::vector<float> out;
  std::vector<float> frame(kFrameSamples);
  for (;;) {
    const size_t n = r.read(frame);
    out.insert(out.end(), frame.begin(), frame.begin() + long(n));
    if (n < frame.size()) return out;
  }
}

TEST_F(AudioWav, WriteThenReadGivesTheSameSamples) {
  std::vector<float> in(kFrameSamples * 10 + 17);
  SineSource(440, 0.5f).fill(in);
  in[5] = 1.5f;  // clipped to full scale when written
  in[6] = -1.5f;

  WavWriter w;
  const core::Status created = w.open(path("a.wav"));
  ASSERT_TRUE(created.is_ok()) << created.message();
  for (size_t at = 0; at < in.size(); at += kFrameSamples) {
    ASSERT_TRUE(w.write(
        std::span<const float>(in).subspan(at, std::min<size_t>(kFrameSamples, in.size() - at))));
  }
  EXPECT_EQ(w.samples_written(), in.size());
  const core::Status closed = w.close();
  ASSERT_TRUE(closed.is_ok()) << closed.message();
  EXPECT_EQ(std::filesystem::file_size(path("a.wav")), 44 + in.size() * 2);

  WavReader r;
  const core::Status opened = r.open(path("a.wav"));
  ASSERT_TRUE(opened.is_ok()) << opened.message();
  EXPECT_EQ(r.source_rate(), 48000);
  EXPECT_EQ(r.source_channels(), 1);
  EXPECT_EQ(r.source_frames(), in.size());
  const auto out = read_all(r);
  ASSERT_EQ(out.size(), in.size());
  for (size_t i = 0; i < in.size(); ++i) {
    ASSERT_NEAR(out[i], std::clamp(in[i], -1.0f, 1.0f), 1.0f / 32768.0f) << i;
  }
  // int16 -> float -> int16 is exact.
  for (size_t i = 0; i < in.size(); ++i) ASSERT_EQ(to_int16(out[i]), to_int16(in[i])) << i;

  ASSERT_TRUE(r.rewind());
  EXPECT_EQ(read_all(r).size(), in.size());
}

TEST_F(AudioWav, Int16WritesAreStoredVerbatim) {
  const std::vector<int16_t> in = {0, 1, -1, 32767, -32768, 1234};
  WavWriter w;
  ASSERT_TRUE(w.open(path("b.wav")).is_ok());
  ASSERT_TRUE(w.write(std::span<const int16_t>(in)));
  ASSERT_TRUE(w.close().is_ok());
  WavReader r;
  ASSERT_TRUE(r.open(path("b.wav")).is_ok());
  const auto out = read_all(r);
  ASSERT_EQ(out.size(), in.size());
  for (size_t i = 0; i < in.size(); ++i) EXPECT_EQ(to_int16(out[i]), in[i]);
}

TEST_F(AudioWav, DestructorFinishesTheHeader) {
  {
    WavWriter w;
    ASSERT_TRUE(w.open(path("c.wav")).is_ok());
    std::vector<float> frame(kFrameSamples, 0.25f);
    w.write(frame);
  }
  WavReader r;
  const core::Status opened = r.open(path("c.wav"));
  ASSERT_TRUE(opened.is_ok()) << opened.message();
  EXPECT_EQ(r.source_frames(), uint64_t(kFrameSamples));
}

TEST_F(AudioWav, StereoIsDownmixedAndOtherChunksAreSkipped) {
  std::vector<int16_t> stereo;
  for (int i = 0; i < 100; ++i) {
    stereo.push_back(1000);  // left
    stereo.push_back(3000);  // right
  }
  write_raw(path("s.wav"), 1, 2, 48000, 16, stereo, /*extra_chunk=*/true);
  WavReader r;
  const core::Status opened = r.open(path("s.wav"));
  ASSERT_TRUE(opened.is_ok()) << opened.message();
  EXPECT_EQ(r.source_channels(), 2);
  const auto out = read_all(r);
  ASSERT_EQ(out.size(), 100u);
  for (const float s : out) EXPECT_EQ(to_int16(s), 2000);
}

TEST_F(AudioWav, OtherRatesAreResampledTo48k) {
  // One second of 441 Hz at 44.1 kHz.
  std::vector<float> tone(44100);
  SineSource(441, 0.5f, 44100).fill(tone);
  std::vector<int16_t> pcm;
  for (const float s : tone) pcm.push_back(to_int16(s));
  write_raw(path("r.wav"), 1, 1, 44100, 16, pcm);

  WavReader r;
  const core::Status opened = r.open(path("r.wav"));
  ASSERT_TRUE(opened.is_ok()) << opened.message();
  EXPECT_EQ(r.source_rate(), 44100);
  const auto out = read_all(r);
  EXPECT_NEAR(double(out.size()), 48000.0, 3.0);
  EXPECT_NEAR(goertzel_amplitude(out, 441), 0.5f, 0.01f);  // same pitch at the new rate
}

TEST_F(AudioWav, UnsupportedFilesAreRefusedWithAClearMessage) {
  WavReader r;
  // What open() refuses `file` with; it must refuse.
  const auto refusal = [&r](const std::string& file) {
    const core::Status opened = r.open(file);
    EXPECT_EQ(opened.code(), core::Status::Code::kInvalidInput) << file;
    return opened.message();
  };
  std::string why = refusal(path("missing.wav"));
  EXPECT_NE(why.find("cannot open"), std::string::npos) << why;

  write_raw(path("f.wav"), 3, 1, 48000, 32, {0, 0});
  why = refusal(path("f.wav"));
  EXPECT_NE(why.find("32-bit float"), std::string::npos) << why;
  EXPECT_NE(why.find("16-bit PCM"), std::string::npos) << why;

  write_raw(path("8.wav"), 1, 1, 48000, 8, {0});
  why = refusal(path("8.wav"));
  EXPECT_NE(why.find("8-bit"), std::string::npos) << why;

  write_raw(path("6ch.wav"), 1, 6, 48000, 16, std::vector<int16_t>(12));
  why = refusal(path("6ch.wav"));
  EXPECT_NE(why.find("6 channels"), std::string::npos) << why;

  write_raw(path("4k.wav"), 1, 1, 4000, 16, {0, 0});
  why = refusal(path("4k.wav"));
  EXPECT_NE(why.find("sample rate 4000 Hz"), std::string::npos) << why;

  {
    std::FILE* f = std::fopen(path("t.txt").c_str(), "wb");
    std::fputs("hello, not a wav file", f);
    std::fclose(f);
  }
  why = refusal(path("t.txt"));
  EXPECT_NE(why.find("not a WAV file"), std::string::npos) << why;
  EXPECT_FALSE(r.is_open());
}

TEST_F(AudioWav, WriterReportsAnUnwritablePath) {
  WavWriter w;
  const core::Status created = w.open(path("no/such/dir/x.wav"));
  EXPECT_FALSE(created.is_ok());
  EXPECT_NE(created.message().find("cannot create"), std::string::npos) << created.message();
}

}  // namespace
}  // namespace ttycall::media::audio
