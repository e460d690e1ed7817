#pragma once
// Test signals and tone detection: a phase-continuous sine generator (the client's
// `--audio sine:HZ` source) and a Goertzel detector that measures how much of one frequency
// a buffer holds (how tests tell a 440 Hz talker from a 660 Hz one in a mix).
#include <cstdint>
#include <span>

#include "media/audio/audio_format.h"

namespace ttycall::media::audio {

class SineSource {
 public:
  // `amplitude` is the peak (1.0 = full scale).
  explicit SineSource(double frequency_hz, float amplitude = 0.25f, int sample_rate = kSampleRate);
  // Writes the next samples; successive calls continue the waveform without a phase jump.
  void fill(std::span<float> out);
  void reset() { phase_ = 0.0; }
  double frequency_hz() const { return frequency_hz_; }

 private:
  double frequency_hz_;
  double step_;         // phase increment per sample, in cycles
  double phase_ = 0.0;  // in cycles, [0, 1)
  float amplitude_;
};

// Goertzel with a Hann window over the whole buffer. Returns the estimated peak amplitude
// of the sinusoid at `frequency_hz` (a full-scale sine at that frequency gives ~1.0; other
// frequencies more than ~2 bins away, bin = sample_rate / size, give almost nothing).
float goertzel_amplitude(std::span<const float> samples, double frequency_hz,
                         int sample_rate = kSampleRate);
// The mean power of that sinusoidal component: amplitude^2 / 2.
float goertzel_power(std::span<const float> samples, double frequency_hz,
                     int sample_rate = kSampleRate);

}  // namespace ttycall::media::audio
