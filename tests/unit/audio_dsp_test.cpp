// The voice DSP stages (src/media/audio/dsp.h) on synthetic signals: each test feeds a tone
// or noise of known level and checks the stage's one promise.
#include "media/audio/dsp.h"

#include <gtest/gtest.h>

#include <cmath>
#include <random>
#include <vector>

#include "media/audio/tone.h"

namespace ttycall::media::audio {
namespace {

std::vector<float> tone(double hz, float amplitude, int samples) {
  std::vector<float> out(static_cast<size_t>(samples));
  SineSource(hz, amplitude).fill(out);
  return out;
}

// Uniform white noise with the given RMS level.
std::vector<float> noise(float rms_db, int samples, unsigned seed = 7) {
  std::mt19937 rng(seed);
  const float a = db_to_gain(rms_db) * std::sqrt(3.0f);  // uniform [-a, a] has rms a/sqrt(3)
  std::uniform_real_distribution<float> dist(-a, a);
  std::vector<float> out(static_cast<size_t>(samples));
  for (float& s : out) s = dist(rng);
  return out;
}

std::span<const float> tail(const std::vector<float>& v, int samples) {
  return std::span<const float>(v).last(size_t(samples));
}

// ---- level ------------------------------------------------------------------------------

TEST(AudioLevel, RmsDbfsOfKnownSignals) {
  EXPECT_NEAR(rms_dbfs(tone(1000, 1.0f, 48000)), -3.01f, 0.05f);
  EXPECT_NEAR(rms_dbfs(tone(1000, 0.1f, 48000)), -23.01f, 0.05f);
  const std::vector<float> square(960, 0.5f);
  EXPECT_NEAR(rms_dbfs(square), -6.02f, 0.01f);
  EXPECT_EQ(rms_dbfs(std::vector<float>(960, 0.0f)), kSilenceDbfs);
  EXPECT_EQ(rms_dbfs({}), kSilenceDbfs);
}

TEST(AudioLevel, SpeakingDetectorHoldsForTheHangoverThenDrops) {
  SpeakingDetector d(SpeakingParams{-40.0f, 3});
  EXPECT_FALSE(d.update(-60.0f));
  EXPECT_TRUE(d.update(-20.0f));
  EXPECT_TRUE(d.update(-60.0f));  // hangover 1
  EXPECT_TRUE(d.update(-60.0f));  // 2
  EXPECT_TRUE(d.update(-60.0f));  // 3
  EXPECT_FALSE(d.update(-60.0f));
}

// ---- high-pass --------------------------------------------------------------------------

TEST(AudioHighPass, AttenuatesTwentyHertzStronglyAndPassesOneKilohertz) {
  auto gain_db = [](double hz) {
    HighPassFilter hp;  // 80 Hz
    std::vector<float> x = tone(hz, 0.5f, 48000 * 2);
    const float in = rms_dbfs(tail(x, 48000));
    hp.process(x);
    return rms_dbfs(tail(x, 48000)) - in;  // steady state: the last second
  };
  EXPECT_LT(gain_db(20.0), -20.0f);         // two octaves below: ~-24 dB
  EXPECT_NEAR(gain_db(80.0), -3.0f, 0.3f);  // the cutoff
  EXPECT_NEAR(gain_db(1000.0), 0.0f, 0.2f);
  EXPECT_NEAR(gain_db(4000.0), 0.0f, 0.1f);
}

TEST(AudioHighPass, RemovesDcAndFrameSizeDoesNotMatter) {
  std::vector<float> x(48000, 0.3f);
  HighPassFilter hp;
  hp.process(x);
  EXPECT_LT(std::fabs(x.back()), 1e-4f);

  std::vector<float> whole = tone(300, 0.5f, 4800), pieces = whole;
  HighPassFilter a, b;
  a.process(whole);
  for (size_t at = 0; at < pieces.size(); at += 37) {
    b.process(std::span<float>(pieces).subspan(at, std::min<size_t>(37, pieces.size() - at)));
  }
  for (size_t i = 0; i < whole.size(); ++i) ASSERT_FLOAT_EQ(whole[i], pieces[i]);
}

// ---- noise gate -------------------------------------------------------------------------

TEST(AudioNoiseGate, ClosesOnNoiseBelowThreshold) {
  NoiseGate gate;  // threshold -50 dBFS, range -40 dB
  std::vector<float> x = noise(-60.0f, 48000);
  const float in = rms_dbfs(x);
  gate.process(x);
  EXPECT_FALSE(gate.is_open());
  EXPECT_LT(rms_dbfs(tail(x, 24000)), in - 35.0f);  // attenuated by ~range_db
}

TEST(AudioNoiseGate, OpensOnToneAboveThresholdAndPassesItUnchanged) {
  NoiseGate gate;
  std::vector<float> quiet = noise(-60.0f, 24000);
  gate.process(quiet);
  ASSERT_FALSE(gate.is_open());

  std::vector<float> x = tone(440, 0.1f, 24000);  // -23 dBFS
  const float in = rms_dbfs(tail(x, 12000));
  gate.process(x);
  EXPECT_TRUE(gate.is_open());
  EXPECT_NEAR(rms_dbfs(tail(x, 12000)), in, 0.1f);
  EXPECT_NEAR(gate.gain(), 1.0f, 1e-3f);
}

TEST(AudioNoiseGate, HoldsOpenThroughAShortPauseThenReleases) {
  NoiseGateParams p;
  p.hold_ms = 150.0f;
  NoiseGate gate(p);
  std::vector<float> talk = tone(300, 0.1f, 9600);
  gate.process(talk);
  ASSERT_TRUE(gate.is_open());
  std::vector<float> pause(size_t(48 * 100), 0.0f);  // 100 ms of silence: within the hold
  gate.process(pause);
  EXPECT_TRUE(gate.is_open());
  std::vector<float> longer(size_t(48 * 300), 0.0f);  // well past the hold
  gate.process(longer);
  EXPECT_FALSE(gate.is_open());
}

// ---- compressor -------------------------------------------------------------------------

TEST(AudioCompressor, ReducesALoudBurstByTheRatio) {
  CompressorParams p;
  p.threshold_dbfs = -20.0f;
  p.ratio = 4.0f;
  p.knee_db = 6.0f;
  p.attack_ms = 5.0f;
  p.release_ms = 100.0f;
  Compressor comp(p);

  std::vector<float> quiet = tone(440, 0.05f, 24000);  // -29 dBFS: below threshold
  const float quiet_in = rms_dbfs(tail(quiet, 12000));
  comp.process(quiet);
  EXPECT_NEAR(rms_dbfs(tail(quiet, 12000)), quiet_in, 0.1f);

  std::vector<float> burst = tone(440, 0.5f, 24000);  // -9.03 dBFS RMS: 11 dB over
  const float in = rms_dbfs(tail(burst, 12000));
  comp.process(burst);
  const float out = rms_dbfs(tail(burst, 12000));  // after the attack has settled
  // 4:1 above -20 dBFS: the output rises 11/4 dB over the threshold.
  const float expected_out = -20.0f + (in + 20.0f) / 4.0f;
  EXPECT_NEAR(out, expected_out, 0.5f);
  EXPECT_NEAR(comp.reduction_db(), (in + 20.0f) * (1.0f / 4.0f - 1.0f), 0.5f);
}

TEST(AudioCompressor, StaticCurveHasTheKneeAndRatio) {
  CompressorParams p;
  p.threshold_dbfs = -20.0f;
  p.ratio = 2.0f;
  p.knee_db = 4.0f;
  const Compressor comp(p);
  EXPECT_FLOAT_EQ(comp.static_reduction_db(-30.0f), 0.0f);
  EXPECT_FLOAT_EQ(comp.static_reduction_db(-22.0f), 0.0f);  // knee starts at T - W/2
  EXPECT_LT(comp.static_reduction_db(-20.0f), 0.0f);        // inside the knee
  EXPECT_GT(comp.static_reduction_db(-20.0f), -1.0f);
  EXPECT_FLOAT_EQ(comp.static_reduction_db(-10.0f), -5.0f);  // 10 dB over at 2:1
}

TEST(AudioCompressor, AttacksQuicklyAndReleasesSlowly) {
  CompressorParams p;
  p.threshold_dbfs = -30.0f;
  p.ratio = 10.0f;
  p.attack_ms = 5.0f;
  p.release_ms = 200.0f;
  Compressor comp(p);
  std::vector<float> loud = tone(440, 0.5f, 48 * 40);  // 40 ms: 8 attack time constants
  comp.process(loud);
  const float reduced = comp.reduction_db();
  EXPECT_LT(reduced, -15.0f);
  std::vector<float> quiet(size_t(48 * 50), 0.0f);  // 50 ms: a quarter of the release
  comp.process(quiet);
  EXPECT_LT(comp.reduction_db(), reduced * 0.6f);  // still well reduced
}

// ---- soft clipper -----------------------------------------------------------------------

TEST(AudioSoftClipper, BoundsOutputForInputsUpToTenTimesFullScale) {
  const SoftClipper clip;
  std::vector<float> x = tone(440, 10.0f, 4800);
  x.push_back(1e30f);
  x.push_back(-1e30f);
  x.push_back(std::nanf(""));
  clip.process(x);
  for (const float s : x) {
    ASSERT_LE(s, 1.0f);
    ASSERT_GE(s, -1.0f);
    ASSERT_TRUE(std::isfinite(s));
    ASSERT_GE(to_int16(s), -32768);
  }
  EXPECT_GT(peak(x), 0.99f);  // it bends, it does not squash
}

TEST(AudioSoftClipper, IsTransparentBelowTheKneeAndMonotonic) {
  const SoftClipper clip(SoftClipperParams{0.7f});
  EXPECT_FLOAT_EQ(clip.apply(0.5f), 0.5f);
  EXPECT_FLOAT_EQ(clip.apply(-0.7f), -0.7f);
  float last = 0.0f;
  for (float x = 0.0f; x < 20.0f; x += 0.01f) {
    const float y = clip.apply(x);
    ASSERT_GE(y, last);
    ASSERT_LE(y, 1.0f);
    ASSERT_FLOAT_EQ(clip.apply(-x), -y);
    last = y;
  }
  // Slope ~1 just above the knee: no audible corner.
  EXPECT_NEAR((clip.apply(0.71f) - clip.apply(0.70f)) / 0.01f, 1.0f, 0.02f);
}

// ---- chain ------------------------------------------------------------------------------

TEST(AudioVoiceChain, PassesSpeechBandAndGatesRumbleAndHiss) {
  VoiceChain chain;
  std::vector<float> hum = tone(30, 0.003f, 48000);  // -53 dBFS mains rumble: HPF + gate
  chain.process(hum);
  EXPECT_LT(rms_dbfs(tail(hum, 24000)), -100.0f);
  EXPECT_FALSE(chain.gate().is_open());

  std::vector<float> voice = tone(500, 0.2f, 24000);
  const float in = rms_dbfs(tail(voice, 12000));
  chain.process(voice);
  EXPECT_NEAR(rms_dbfs(tail(voice, 12000)), in, 0.2f);
}

}  // namespace
}  // namespace ttycall::media::audio
