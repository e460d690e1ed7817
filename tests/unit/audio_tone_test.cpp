// Test signals (src/media/audio/tone.h): the sine source is phase-continuous across frames
// and the Goertzel detector measures one frequency's amplitude while ignoring others.
#include "media/audio/tone.h"

#include <gtest/gtest.h>

#include <cmath>
#include <numbers>
#include <vector>

namespace ttycall::media::audio {
namespace {

TEST(AudioTone, SineIsPhaseContinuousAcrossFrames) {
  SineSource whole(440, 0.5f), framed(440, 0.5f);
  std::vector<float> a(kFrameSamples * 5), b(a.size());
  whole.fill(a);
  for (size_t at = 0; at < b.size(); at += 333) {
    framed.fill(std::span<float>(b).subspan(at, std::min<size_t>(333, b.size() - at)));
  }
  for (size_t i = 0; i < a.size(); ++i) ASSERT_FLOAT_EQ(a[i], b[i]);
  for (size_t i = 0; i < 48; ++i) {
    const double expected = 0.5 * std::sin(2.0 * std::numbers::pi * 440.0 * double(i) / 48000.0);
    ASSERT_NEAR(a[i], expected, 1e-6);
  }
}

TEST(AudioTone, GoertzelMeasuresTheAmplitudeOfOneFrequency) {
  std::vector<float> x(kFrameSamples * 2);
  SineSource(440, 0.3f).fill(x);
  std::vector<float> y(x.size());
  SineSource(660, 0.2f).fill(y);
  for (size_t i = 0; i < x.size(); ++i) x[i] += y[i];

  EXPECT_NEAR(goertzel_amplitude(x, 440), 0.3f, 0.01f);
  EXPECT_NEAR(goertzel_amplitude(x, 660), 0.2f, 0.01f);
  EXPECT_LT(goertzel_amplitude(x, 550), 0.001f);  // between the two: nothing
  EXPECT_LT(goertzel_amplitude(x, 1000), 0.001f);
  EXPECT_NEAR(goertzel_power(x, 440), 0.3f * 0.3f / 2.0f, 0.003f);
  EXPECT_EQ(goertzel_amplitude({}, 440), 0.0f);
}

}  // namespace
}  // namespace ttycall::media::audio
