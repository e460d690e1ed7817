// AudioMixer (src/media/audio/mixer.h): who hears what, the shared mix, gains, and that no
// output ever clips. Tones stand in for talkers; Goertzel tells them apart in a mix.
#include "media/audio/mixer.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <memory>
#include <vector>

#include "media/audio/tone.h"

namespace ttycall::media::audio {
namespace {

constexpr int kA = 0, kB = 1, kC = 2, kD = 3;

// Drives a mixer tick by tick from per-slot sine sources (nullptr = silent but submitted,
// or not submitted at all) and records what chosen listeners hear.
class Call {
 public:
  explicit Call(int slots, const MixerParams& params = {}) : mixer(slots, params) {
    sources.resize(size_t(slots));
    submit.assign(size_t(slots), true);
    heard.resize(size_t(slots));
  }
  void talk(int slot, double hz, float amplitude) {
    sources[size_t(slot)] = std::make_unique<SineSource>(hz, amplitude);
  }
  void silence(int slot) { sources[size_t(slot)].reset(); }

  // Runs `ticks` ticks; keeps what every listener heard during the last `keep` of them.
  void run(int ticks, int keep) {
    for (auto& h : heard) h.clear();
    for (int t = 0; t < ticks; ++t) {
      for (int s = 0; s < mixer.slots(); ++s) {
        if (!submit[size_t(s)]) continue;
        const std::span<float> in = mixer.input(s);
        if (sources[size_t(s)]) {
          sources[size_t(s)]->fill(in);
        } else {
          std::fill(in.begin(), in.end(), 0.0f);
        }
        mixer.submit(s, 1000u + uint64_t(s));
      }
      mixer.mix();
      if (t < ticks - keep) continue;
      for (int l = 0; l < mixer.slots(); ++l) {
        const auto m = mixer.mix(mixer.mix_for(l));
        heard[size_t(l)].insert(heard[size_t(l)].end(), m.begin(), m.end());
      }
    }
  }
  float amplitude(int listener, double hz) const {
    return goertzel_amplitude(heard[size_t(listener)], hz);
  }

  AudioMixer mixer;
  std::vector<std::unique_ptr<SineSource>> sources;
  std::vector<bool> submit;
  std::vector<std::vector<float>> heard;
};

// No dynamics: lets a test see the raw gains.
MixerParams linear_params() {
  MixerParams p;
  p.compressor.threshold_dbfs = 0.0f;
  p.compressor.knee_db = 0.0f;
  p.clipper.knee = 0.99f;
  return p;
}

TEST(AudioMixer, EachListenerHearsEveryoneButThemselves) {
  Call call(3);
  call.talk(kA, 440, 0.25f);
  call.talk(kB, 660, 0.25f);  // C is silent
  call.run(50, 25);

  // C (silent) hears both tones.
  EXPECT_GT(call.amplitude(kC, 440), 0.05f);
  EXPECT_GT(call.amplitude(kC, 660), 0.05f);
  // A hears B and not itself; B hears A and not itself. A wrong mix would leave the own
  // tone at the same amplitude as the other: require 40 dB between them.
  EXPECT_GT(call.amplitude(kA, 660), 0.05f);
  EXPECT_LT(call.amplitude(kA, 440), call.amplitude(kA, 660) * 0.01f);
  EXPECT_GT(call.amplitude(kB, 440), 0.05f);
  EXPECT_LT(call.amplitude(kB, 660), call.amplitude(kB, 440) * 0.01f);

  EXPECT_EQ(call.mixer.mix_for(kC), AudioMixer::kSharedMix);
  EXPECT_EQ(call.mixer.mix_for(kA), kA);
  EXPECT_EQ(call.mixer.mix_for(kB), kB);
  EXPECT_EQ(call.mixer.active_count(), 2);
}

TEST(AudioMixer, NonSpeakingListenersShareOneMixBuffer) {
  Call call(6);
  call.talk(kA, 440, 0.25f);
  call.talk(kB, 660, 0.25f);
  call.submit[4] = false;  // slot 4: a listener with no microphone; slot 5 silent like C, D
  call.run(10, 1);

  const AudioMixer& m = call.mixer;
  for (const int listener : {kC, kD, 4, 5}) {
    EXPECT_EQ(m.mix_for(listener), AudioMixer::kSharedMix) << listener;
    EXPECT_EQ(m.mix(m.mix_for(listener)).data(), m.mix(AudioMixer::kSharedMix).data());
  }
  EXPECT_NE(m.mix(m.mix_for(kA)).data(), m.mix(AudioMixer::kSharedMix).data());
  EXPECT_NE(m.mix(m.mix_for(kA)).data(), m.mix(m.mix_for(kB)).data());
  // The distinct outputs to encode: the shared mix plus one per active source.
  const auto own = m.own_mixes();
  ASSERT_EQ(own.size(), 2u);
  EXPECT_EQ(own[0], kA);
  EXPECT_EQ(own[1], kB);
  EXPECT_TRUE(m.active(kA) && m.active(kB) && !m.active(kC) && !m.active(kD));
  EXPECT_EQ(m.mix(AudioMixer::kSharedMix).size(), size_t(kFrameSamples));
}

TEST(AudioMixer, NothingClipsWithThirtyTwoLoudSources) {
  Call call(40);
  for (int s = 0; s < 32; ++s) call.talk(s, 150.0 + 53.0 * s, 1.0f);  // full-scale each
  call.run(100, 50);
  EXPECT_EQ(call.mixer.active_count(), MixerParams{}.max_mixed);  // the loudest few only
  for (int l = 0; l < 40; ++l) {
    const auto& h = call.heard[size_t(l)];
    const float p = peak(h);
    EXPECT_LE(p, 1.0f) << l;
    EXPECT_GT(p, 0.3f) << l;  // loud, not muted
    for (const float s : h) ASSERT_GT(to_int16(s), -32768);
  }
}

TEST(AudioMixer, MixesOnlyTheLoudestFewOfABigRoom) {
  // 200 members, 10 of them talking at different levels; four are mixed.
  MixerParams p = linear_params();
  p.max_mixed = 4;
  p.duck_db = 0.0f;
  Call call(200, p);
  for (int s = 0; s < 10; ++s) call.talk(s, 300.0 + 70.0 * s, 0.02f + 0.02f * float(s));
  call.run(30, 10);
  const AudioMixer& m = call.mixer;
  EXPECT_EQ(m.active_count(), 4);
  const auto own = m.own_mixes();
  ASSERT_EQ(own.size(), 4u);
  EXPECT_EQ(std::vector<int>(own.begin(), own.end()), (std::vector<int>{6, 7, 8, 9}));
  // A listener hears the four loudest, and nothing of the quieter talkers.
  const int listener = 150;
  EXPECT_EQ(m.mix_for(listener), AudioMixer::kSharedMix);
  for (int s = 6; s < 10; ++s) EXPECT_GT(call.amplitude(listener, 300.0 + 70.0 * s), 0.05f) << s;
  for (int s = 0; s < 6; ++s) EXPECT_LT(call.amplitude(listener, 300.0 + 70.0 * s), 0.005f) << s;
  // A talker who is not mixed hears the shared mix; a mixed one hears the others only.
  EXPECT_EQ(m.mix_for(2), AudioMixer::kSharedMix);
  EXPECT_LT(call.amplitude(9, 300.0 + 70.0 * 9), 0.005f);
  EXPECT_GT(call.amplitude(9, 300.0 + 70.0 * 8), 0.05f);
  // Each mixed talker has its own seat (an encoder each).
  std::vector<int> seats;
  for (int s : own) seats.push_back(m.seat(s));
  std::sort(seats.begin(), seats.end());
  EXPECT_EQ(seats, (std::vector<int>{0, 1, 2, 3}));
  EXPECT_EQ(m.seat(0), -1);
}

TEST(AudioMixer, AMixedTalkerKeepsItsPlaceAndSeatAgainstASlightlyLouderOne) {
  MixerParams p = linear_params();
  p.max_mixed = 1;
  Call call(3, p);
  call.talk(kA, 440, 0.2f);
  call.run(20, 1);
  ASSERT_TRUE(call.mixer.active(kA));
  const int seat = call.mixer.seat(kA);
  call.talk(kB, 660, 0.25f);  // 2 dB louder: within the bonus of the one already mixed
  call.run(20, 1);
  EXPECT_TRUE(call.mixer.active(kA));
  EXPECT_FALSE(call.mixer.active(kB));
  EXPECT_EQ(call.mixer.seat(kA), seat);
  call.talk(kB, 660, 0.8f);  // 12 dB louder: takes over
  call.run(20, 1);
  EXPECT_TRUE(call.mixer.active(kB));
  EXPECT_FALSE(call.mixer.active(kA));
  EXPECT_EQ(call.mixer.seat(kA), -1);
}

TEST(AudioMixer, CrowdScalingLowersEachSourceAsMoreAreActive) {
  Call one(5, linear_params());
  one.talk(kA, 440, 0.1f);
  one.run(20, 10);
  const float alone = one.amplitude(4, 440);

  Call four(5, linear_params());
  four.talk(kA, 440, 0.1f);
  four.talk(kB, 550, 0.1f);
  four.talk(kC, 660, 0.1f);
  four.talk(kD, 770, 0.1f);
  four.run(20, 10);
  EXPECT_NEAR(alone, 0.1f, 0.005f);
  EXPECT_NEAR(four.amplitude(4, 440) / alone, 0.5f, 0.02f);  // 1/sqrt(4)
}

TEST(AudioMixer, ADominantTalkerDucksTheOthers) {
  auto quiet_one_in_mix = [](float duck_db) {
    MixerParams p = linear_params();
    p.duck_db = duck_db;
    Call call(3, p);
    call.talk(kA, 440, 0.5f);   // -9 dBFS
    call.talk(kB, 660, 0.05f);  // -29 dBFS: 20 dB below A
    call.run(30, 10);
    EXPECT_EQ(call.mixer.dominant(), duck_db < 0 ? kA : -1);
    EXPECT_NEAR(call.amplitude(kC, 440) / 0.5f, 1.0f / std::sqrt(2.0f), 0.02f);  // not ducked
    return call.amplitude(kC, 660);
  };
  const float ducked = quiet_one_in_mix(-6.0f);
  const float plain = quiet_one_in_mix(0.0f);
  EXPECT_NEAR(gain_to_db(ducked / plain), -6.0f, 0.3f);
}

TEST(AudioMixer, NoDuckingBetweenTalkersOfSimilarLevel) {
  Call call(3);
  call.talk(kA, 440, 0.25f);
  call.talk(kB, 660, 0.2f);
  call.run(30, 10);
  EXPECT_EQ(call.mixer.dominant(), -1);
}

TEST(AudioMixer, SpeakingFlagsFollowLevelWithHangover) {
  MixerParams p;
  p.speaking.hangover_frames = 5;
  p.active_hangover_frames = 10;
  Call call(3, p);
  call.talk(kA, 440, 0.25f);
  call.talk(kB, 660, 0.002f);  // -57 dBFS: gated, neither speaking nor active
  call.run(10, 1);
  EXPECT_TRUE(call.mixer.speaking(kA));
  EXPECT_FALSE(call.mixer.speaking(kB));
  EXPECT_FALSE(call.mixer.speaking(kC));
  EXPECT_FALSE(call.mixer.speaking(kD));
  EXPECT_FALSE(call.mixer.active(kB));

  call.silence(kA);
  call.run(4, 1);  // within the speaking hangover
  EXPECT_TRUE(call.mixer.speaking(kA));
  call.run(3, 1);  // past it, still within the activity hangover
  EXPECT_FALSE(call.mixer.speaking(kA));
  EXPECT_TRUE(call.mixer.active(kA));
  EXPECT_EQ(call.mixer.mix_for(kA), kA);
  call.run(5, 1);  // past both: A is back on the shared mix
  EXPECT_FALSE(call.mixer.active(kA));
  EXPECT_EQ(call.mixer.mix_for(kA), AudioMixer::kSharedMix);
}

TEST(AudioMixer, SwitchedToOwnIsTrueOnlyOnTheFirstActiveTick) {
  Call call(2);
  call.run(3, 1);
  EXPECT_FALSE(call.mixer.switched_to_own(kA));
  call.talk(kA, 440, 0.25f);
  call.run(1, 1);
  EXPECT_TRUE(call.mixer.switched_to_own(kA));
  EXPECT_FALSE(call.mixer.switched_to_own(kB));
  call.run(1, 1);
  EXPECT_FALSE(call.mixer.switched_to_own(kA));
}

TEST(AudioMixer, CaptureTimeIsTheNewestAmongTheSourcesOfEachMix) {
  Call call(3);
  call.talk(kA, 440, 0.25f);  // submitted with capture 1000
  call.talk(kB, 660, 0.25f);  // 1001
  call.run(3, 1);
  EXPECT_EQ(call.mixer.capture_us(AudioMixer::kSharedMix), 1001u);
  EXPECT_EQ(call.mixer.capture_us(kA), 1001u);  // A hears B
  EXPECT_EQ(call.mixer.capture_us(kB), 1000u);  // B hears A
}

TEST(AudioMixer, ASourceNotSubmittedIsNotMixedEvenWithStaleInput) {
  Call call(3);
  call.talk(kA, 440, 0.25f);
  call.talk(kB, 660, 0.25f);
  call.run(5, 1);
  call.submit[kA] = false;  // muted: its input buffer still holds the last frame
  call.run(3, 2);
  EXPECT_FALSE(call.mixer.active(kA));
  EXPECT_LT(call.amplitude(kC, 440), 1e-4f);
  EXPECT_GT(call.amplitude(kC, 660), 0.05f);
}

TEST(AudioMixer, ResetSlotForgetsAParticipant) {
  Call call(2);
  call.talk(kA, 440, 0.25f);
  call.run(5, 1);
  ASSERT_TRUE(call.mixer.active(kA));
  call.mixer.reset_slot(kA);
  EXPECT_FALSE(call.mixer.active(kA));
  EXPECT_FALSE(call.mixer.speaking(kA));
  EXPECT_EQ(call.mixer.level_dbfs(kA), kSilenceDbfs);
}

TEST(AudioMixer, SilenceInSilenceOut) {
  Call call(4);
  call.run(10, 5);
  EXPECT_EQ(call.mixer.active_count(), 0);
  EXPECT_EQ(peak(call.heard[0]), 0.0f);
  EXPECT_EQ(call.mixer.capture_us(AudioMixer::kSharedMix), 0u);
}

}  // namespace
}  // namespace ttycall::media::audio
