#pragma once
// The one audio format of ttycall: 48 kHz, mono, 20 ms frames of 960 samples.
//
// Inside the program samples are 32-bit floats, nominally in [-1, 1] (full scale = 1.0),
// which is what PortAudio, libopus' float API and the DSP stages use. Sums in the mixer may
// exceed 1.0 until the soft clipper brings them back. int16 appears only at the edges (WAV
// files); to_int16/from_int16 convert with the same scale (32768), rounding and saturation,
// so int16 -> float -> int16 is exact.
#include <algorithm>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <span>

namespace ttycall::media::audio {

constexpr int kSampleRate = 48000;
constexpr int kFrameMs = 20;
constexpr int kFrameSamples = kSampleRate / 1000 * kFrameMs;  // 960
constexpr int kFramesPerSecond = 1000 / kFrameMs;

// Opus: the largest packet libopus produces for one frame, and the largest a sane peer
// sends. A jitter-buffer slot holds up to kMaxPacketBytes.
constexpr size_t kMaxOpusPacketBytes = 1275;
constexpr size_t kMaxPacketBytes = 1500;

using Frame = std::span<float>;
using ConstFrame = std::span<const float>;

inline int16_t to_int16(float sample) {
  if (!(sample == sample)) return 0;  // NaN
  const float scaled = std::round(sample * 32768.0f);
  return int16_t(std::clamp(scaled, -32768.0f, 32767.0f));
}

inline float from_int16(int16_t sample) {
  return float(sample) * (1.0f / 32768.0f);
}

// dB <-> linear amplitude.
inline float db_to_gain(float db) {
  return std::pow(10.0f, db / 20.0f);
}
inline float gain_to_db(float gain) {
  return 20.0f * std::log10(std::max(gain, 1e-10f));
}

}  // namespace ttycall::media::audio
