#pragma once
// What a headless client heard (--audio-out file:PATH.wav), judged by the energy of test
// tones (Goertzel, media/audio/tone.h): a talker who must be heard is clearly there, one
// who must not be is seven orders of magnitude down. Shared by the tests that check who
// hears whom.
#include <span>
#include <string>
#include <vector>

#include "media/audio/audio_format.h"

namespace ttycall::itest {

// What the recordings are judged by. A SineSource talks at 0.25 full scale; after the
// mixer's DSP (crowd scaling, compressor) a listener hears a tone at ~0.1 (power ~5e-3),
// and a tone that is not in the mix at ~3e-5 (power ~1e-9): Opus noise, seven orders of
// magnitude down. The margins below sit far from both, and a wrong mix (the listener's own
// voice in it, even 30 dB down; a talker missing; silence) fails them.
// Each second is judged on its own too, more leniently for the tones that must be heard: on a
// busy machine a talker may drop out for a few hundred ms (timers late, PLC), which is a
// glitch, not a wrong mix; a second without the talker at all is still a fault.
constexpr double kSkipSeconds = 2;  // joining, prebuffering, gate and compressor attack
struct Margins {
  float present_amplitude;    // a tone that is heard is above this
  float absent_amplitude;     // a tone that is not heard is below this
  float present_over_absent;  // power ratio of the weakest heard tone to any unheard one
};
constexpr Margins kWhole{0.03f, 0.003f, 1000};  // -30 dBFS, -50 dBFS, 30 dB
constexpr Margins kSecond{0.01f, 0.003f, 100};  // -40 dBFS, -50 dBFS, 20 dB
constexpr float kMaxPeak = 0.99f;               // the soft clipper keeps the mix below full scale

// A whole recording, 48 kHz mono floats (int16 / 32768).
struct Recording {
  std::vector<float> samples;
  double seconds() const { return double(samples.size()) / media::audio::kSampleRate; }
  // From `from_s` to the end.
  std::span<const float> after(double from_s) const;
};

// Reads a recording (a failure is a test failure, and an empty recording).
Recording read_recording(const std::string& path);

float peak_of(std::span<const float> samples);
size_t clipped_in(std::span<const float> samples);
// "440 Hz: amplitude A (power P); 660 Hz: ..." for each of `tones`.
std::string describe_tones(std::span<const float> samples, const std::vector<double>& tones);

// Checks what `who` heard in `samples` (one stretch of their recording): every tone in
// `heard` clearly, every tone in `not_heard` not at all.
void expect_tones(const std::string& who, std::span<const float> samples, const Margins& margins,
                  const std::vector<double>& heard, const std::vector<double>& not_heard);

// The whole stretch after kSkipSeconds, and each whole second of it on its own (a talker
// dropping out, or an echo of oneself, for a second is a fault too).
void expect_recording(const std::string& who, const Recording& rec,
                      const std::vector<double>& heard, const std::vector<double>& not_heard);

}  // namespace ttycall::itest
