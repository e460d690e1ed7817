#include "media/audio/tone.h"

#include <algorithm>
#include <cmath>
#include <numbers>

namespace ttycall::media::audio {

SineSource::SineSource(double frequency_hz, float amplitude, int sample_rate)
    : frequency_hz_(frequency_hz),
      step_(frequency_hz / double(sample_rate > 0 ? sample_rate : kSampleRate)),
      amplitude_(amplitude) {}

void SineSource::fill(std::span<float> out) {
  constexpr double kTwoPi = 2.0 * std::numbers::pi;
  for (float& s : out) {
    s = amplitude_ * float(std::sin(kTwoPi * phase_));
    phase_ += step_;
    phase_ -= std::floor(phase_);
  }
}

float goertzel_amplitude(std::span<const float> samples, double frequency_hz, int sample_rate) {
  const size_t n = samples.size();
  if (n < 2 || sample_rate <= 0) return 0.0f;
  constexpr double kTwoPi = 2.0 * std::numbers::pi;
  const double w = kTwoPi * frequency_hz / double(sample_rate);
  const double coeff = 2.0 * std::cos(w);
  const double window_step = kTwoPi / double(n - 1);
  double s1 = 0.0, s2 = 0.0, window_sum = 0.0;
  for (size_t i = 0; i < n; ++i) {
    const double window = 0.5 - 0.5 * std::cos(window_step * double(i));
    window_sum += window;
    const double s0 = double(samples[i]) * window + coeff * s1 - s2;
    s2 = s1;
    s1 = s0;
  }
  // |X(w)|^2 from the last two states.
  const double power = s1 * s1 + s2 * s2 - coeff * s1 * s2;
  const double magnitude = std::sqrt(std::max(power, 0.0));
  return float(2.0 * magnitude / window_sum);
}

float goertzel_power(std::span<const float> samples, double frequency_hz, int sample_rate) {
  const float a = goertzel_amplitude(samples, frequency_hz, sample_rate);
  return a * a * 0.5f;
}

}  // namespace ttycall::media::audio
