#include "tone_check.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdio>

#include "media/audio/tone.h"
#include "media/audio/wav_file.h"

namespace ttycall::itest {
namespace {

namespace audio = media::audio;

constexpr float kInt16Max = 32767.0f / 32768.0f;

}  // namespace

std::span<const float> Recording::after(double from_s) const {
  const size_t skip = std::min(samples.size(), size_t(from_s * audio::kSampleRate));
  return std::span<const float>(samples).subspan(skip);
}

Recording read_recording(const std::string& path) {
  audio::WavReader reader;
  Recording rec;
  if (const core::Status opened = reader.open(path); !opened.is_ok()) {
    ADD_FAILURE() << "cannot read the recording " << path << ": " << opened.message();
    return rec;
  }
  EXPECT_EQ(reader.source_rate(), audio::kSampleRate) << path;
  EXPECT_EQ(reader.source_channels(), 1) << path;
  std::vector<float> chunk(audio::kFrameSamples);
  while (true) {
    const size_t n = reader.read(chunk);
    rec.samples.insert(rec.samples.end(), chunk.begin(), chunk.begin() + long(n));
    if (n < chunk.size()) break;
  }
  return rec;
}

float peak_of(std::span<const float> samples) {
  float peak = 0;
  for (const float s : samples) peak = std::max(peak, std::fabs(s));
  return peak;
}

size_t clipped_in(std::span<const float> samples) {
  return size_t(std::count_if(samples.begin(), samples.end(),
                              [](float s) { return std::fabs(s) >= kInt16Max; }));
}

std::string describe_tones(std::span<const float> samples, const std::vector<double>& tones) {
  std::string out;
  for (const double hz : tones) {
    char text[96];
    std::snprintf(text, sizeof text, "%s%.0f Hz: amplitude %.3g (power %.3g)",
                  out.empty() ? "" : "; ", hz, double(audio::goertzel_amplitude(samples, hz)),
                  double(audio::goertzel_power(samples, hz)));
    out += text;
  }
  return out;
}

void expect_tones(const std::string& who, std::span<const float> samples, const Margins& margins,
                  const std::vector<double>& heard, const std::vector<double>& not_heard) {
  std::vector<double> all = heard;
  all.insert(all.end(), not_heard.begin(), not_heard.end());
  SCOPED_TRACE(who + " heard " + describe_tones(samples, all));
  float weakest_heard = INFINITY;
  for (const double hz : heard) {
    const float amplitude = audio::goertzel_amplitude(samples, hz);
    EXPECT_GT(amplitude, margins.present_amplitude)
        << who << " does not hear the " << hz << " Hz talker";
    weakest_heard = std::min(weakest_heard, audio::goertzel_power(samples, hz));
  }
  for (const double hz : not_heard) {
    const float amplitude = audio::goertzel_amplitude(samples, hz);
    EXPECT_LT(amplitude, margins.absent_amplitude) << who << " hears the " << hz << " Hz tone";
    if (!heard.empty()) {
      EXPECT_GT(weakest_heard, margins.present_over_absent * audio::goertzel_power(samples, hz))
          << who << " hears the " << hz << " Hz tone too loudly next to the others";
    }
  }
}

void expect_recording(const std::string& who, const Recording& rec,
                      const std::vector<double>& heard, const std::vector<double>& not_heard) {
  // Only the first fault is reported: a wrong mix would otherwise fail every second again.
  const bool failed_before = ::testing::Test::HasFailure();
  const std::span<const float> judged = rec.after(kSkipSeconds);
  expect_tones(who + " (whole recording after " + std::to_string(int(kSkipSeconds)) + " s)", judged,
               kWhole, heard, not_heard);
  for (size_t s = 0; (s + 1) * audio::kSampleRate <= judged.size(); ++s) {
    if (::testing::Test::HasFailure() && !failed_before) return;
    expect_tones(who + " (second " + std::to_string(int(kSkipSeconds) + int(s)) + ")",
                 judged.subspan(s * audio::kSampleRate, audio::kSampleRate), kSecond, heard,
                 not_heard);
  }
}

}  // namespace ttycall::itest
