#include "media/audio/dsp.h"

#include <algorithm>
#include <cmath>
#include <numbers>

namespace ttycall::media::audio {
namespace {

constexpr float kMinPower = 1e-12f;  // -120 dBFS

// One-pole smoothing coefficient for a time constant, updated every `step` samples.
float one_pole(float time_ms, int step = 1) {
  if (time_ms <= 0.0f) return 1.0f;
  return 1.0f - std::exp(-float(step) / (time_ms * 0.001f * float(kSampleRate)));
}

float power_db(float power) {
  return 10.0f * std::log10(std::max(power, kMinPower));
}

float db_to_power(float db) {
  return std::pow(10.0f, db / 10.0f);
}

}  // namespace

float rms_dbfs(std::span<const float> samples) {
  if (samples.empty()) return kSilenceDbfs;
  double sum = 0.0;
  for (const float s : samples) sum += double(s) * double(s);
  const double mean = sum / double(samples.size());
  if (!(mean > double(kMinPower))) return kSilenceDbfs;
  return float(10.0 * std::log10(mean));
}

float peak(std::span<const float> samples) {
  float p = 0.0f;
  for (const float s : samples) p = std::max(p, std::fabs(s));
  return p;
}

// ---- high-pass --------------------------------------------------------------------------

HighPassFilter::HighPassFilter(const HighPassParams& params) {
  const double fc = std::clamp(double(params.cutoff_hz), 1.0, kSampleRate * 0.45);
  const double q = std::max(double(params.q), 0.1);
  const double w0 = 2.0 * std::numbers::pi * fc / kSampleRate;
  const double cos_w0 = std::cos(w0);
  const double alpha = std::sin(w0) / (2.0 * q);
  const double a0 = 1.0 + alpha;
  b0_ = (1.0 + cos_w0) / 2.0 / a0;
  b1_ = -(1.0 + cos_w0) / a0;
  b2_ = b0_;
  a1_ = -2.0 * cos_w0 / a0;
  a2_ = (1.0 - alpha) / a0;
}

void HighPassFilter::process(std::span<float> samples) {
  double z1 = z1_, z2 = z2_;
  for (float& s : samples) {
    const double x = s;
    const double y = b0_ * x + z1;
    z1 = b1_ * x - a1_ * y + z2;
    z2 = b2_ * x - a2_ * y;
    s = float(y);
  }
  // Flush denormals so silence after a signal costs nothing.
  z1_ = std::fabs(z1) < 1e-20 ? 0.0 : z1;
  z2_ = std::fabs(z2) < 1e-20 ? 0.0 : z2;
}

void HighPassFilter::reset() {
  z1_ = z2_ = 0.0;
}

// ---- noise gate -------------------------------------------------------------------------

NoiseGate::NoiseGate(const NoiseGateParams& params)
    : open_power_(db_to_power(params.threshold_dbfs)),
      close_power_(db_to_power(params.threshold_dbfs - std::max(params.hysteresis_db, 0.0f))),
      detector_coef_(one_pole(params.detector_ms)),
      attack_coef_(one_pole(params.attack_ms)),
      release_coef_(one_pole(params.release_ms)),
      closed_gain_(db_to_gain(std::min(params.range_db, 0.0f))),
      hold_samples_(int(std::max(params.hold_ms, 0.0f) * 0.001f * float(kSampleRate))),
      gain_(closed_gain_) {}

void NoiseGate::process(std::span<float> samples) {
  for (float& s : samples) {
    power_ += detector_coef_ * (s * s - power_);
    if (power_ > open_power_) {
      open_ = true;
      hold_left_ = hold_samples_;
    } else if (power_ < close_power_ && open_) {
      if (hold_left_ > 0) {
        --hold_left_;
      } else {
        open_ = false;
      }
    }
    const float target = open_ ? 1.0f : closed_gain_;
    gain_ += (target > gain_ ? attack_coef_ : release_coef_) * (target - gain_);
    s *= gain_;
  }
  if (power_ < kMinPower) power_ = 0.0f;
}

void NoiseGate::reset() {
  power_ = 0.0f;
  gain_ = closed_gain_;
  hold_left_ = 0;
  open_ = false;
}

// ---- compressor -------------------------------------------------------------------------

Compressor::Compressor(const CompressorParams& params)
    : threshold_db_(params.threshold_dbfs),
      slope_(1.0f / std::max(params.ratio, 1.0f) - 1.0f),
      knee_db_(std::max(params.knee_db, 0.0f)),
      makeup_gain_(db_to_gain(params.makeup_db)),
      detector_coef_(one_pole(params.detector_ms)),
      attack_coef_(one_pole(params.attack_ms, kControlBlock)),
      release_coef_(one_pole(params.release_ms, kControlBlock)),
      gain_(makeup_gain_) {}

float Compressor::static_reduction_db(float level_dbfs) const {
  const float over = level_dbfs - threshold_db_;
  if (knee_db_ > 0.0f && std::fabs(over) * 2.0f <= knee_db_) {
    const float x = over + knee_db_ * 0.5f;
    return slope_ * x * x / (2.0f * knee_db_);
  }
  return over > 0.0f ? slope_ * over : 0.0f;
}

void Compressor::process(std::span<float> samples) {
  for (float& s : samples) {
    power_ += detector_coef_ * (s * s - power_);
    if (block_pos_ == 0) {
      const float wanted = static_reduction_db(power_db(power_));
      reduction_db_ +=
          (wanted < reduction_db_ ? attack_coef_ : release_coef_) * (wanted - reduction_db_);
      const float target = db_to_gain(reduction_db_) * makeup_gain_;
      block_step_ = (target - gain_) / float(kControlBlock);
    }
    gain_ += block_step_;
    s *= gain_;
    block_pos_ = (block_pos_ + 1) % kControlBlock;
  }
  if (power_ < kMinPower) power_ = 0.0f;
}

void Compressor::reset() {
  power_ = 0.0f;
  reduction_db_ = 0.0f;
  gain_ = makeup_gain_;
  block_pos_ = 0;
  block_step_ = 0.0f;
}

// ---- soft clipper -----------------------------------------------------------------------

SoftClipper::SoftClipper(const SoftClipperParams& params)
    : knee_(std::clamp(params.knee, 0.0f, 0.99f)), span_(1.0f - knee_) {}

float SoftClipper::apply(float x) const {
  if (x != x) return 0.0f;  // NaN
  const float a = std::fabs(x);
  if (a <= knee_) return x;
  const float y = std::min(knee_ + span_ * std::tanh((a - knee_) / span_), 1.0f);
  return std::copysign(y, x);
}

void SoftClipper::process(std::span<float> samples) const {
  for (float& s : samples) s = apply(s);
}

// ---- speaking detection -----------------------------------------------------------------

bool SpeakingDetector::update(float level_dbfs) {
  if (level_dbfs > params_.threshold_dbfs) {
    left_ = std::max(params_.hangover_frames, 0) + 1;
  } else if (left_ > 0) {
    --left_;
  }
  return speaking();
}

// ---- per-source chain -------------------------------------------------------------------

VoiceChain::VoiceChain(const VoiceChainParams& params)
    : high_pass_on_(params.high_pass_on),
      gate_on_(params.gate_on),
      high_pass_(params.high_pass),
      gate_(params.gate) {}

void VoiceChain::process(std::span<float> samples) {
  if (high_pass_on_) high_pass_.process(samples);
  if (gate_on_) gate_.process(samples);
}

void VoiceChain::reset() {
  high_pass_.reset();
  gate_.reset();
}

}  // namespace ttycall::media::audio
