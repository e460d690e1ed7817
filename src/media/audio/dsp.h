#pragma once
// Voice DSP stages for 48 kHz mono float frames (full scale = 1.0). Each stage processes a
// buffer in place, keeps its state between calls (so a signal can be fed in frames of any
// size), holds only a few scalars (no heap at all, copyable) and is reset() for a new
// stream. Parameters come in a struct with defaults suited to speech.
//
// Levels are RMS in dBFS: 20*log10(rms), so a full-scale square wave is 0 dBFS and a
// full-scale sine -3 dBFS.
//
// Per source (talker):  HighPassFilter -> NoiseGate                  (VoiceChain)
// Per output mix:       Compressor -> SoftClipper                    (in AudioMixer)
// Speaking detection:   rms_dbfs() of a frame -> SpeakingDetector (threshold + hangover)
#include <cstdint>
#include <span>

#include "media/audio/audio_format.h"

namespace ttycall::media::audio {

// RMS level of `samples` in dBFS; kSilenceDbfs for silence or an empty span.
constexpr float kSilenceDbfs = -120.0f;
float rms_dbfs(std::span<const float> samples);
// Largest |sample|.
float peak(std::span<const float> samples);

// ---- high-pass --------------------------------------------------------------------------

struct HighPassParams {
  float cutoff_hz = 80.0f;  // removes rumble, handling noise and DC; speech starts ~100 Hz
  float q = 0.7071f;        // Butterworth: no resonance
};

// Second-order (12 dB/octave) high-pass biquad, RBJ cookbook coefficients, transposed
// direct form II in double precision (low cutoffs need it).
class HighPassFilter {
 public:
  explicit HighPassFilter(const HighPassParams& params = {});
  void process(std::span<float> samples);
  void reset();

 private:
  double b0_ = 1, b1_ = 0, b2_ = 0, a1_ = 0, a2_ = 0;
  double z1_ = 0, z2_ = 0;
};

// ---- noise gate -------------------------------------------------------------------------

struct NoiseGateParams {
  float threshold_dbfs = -50.0f;  // opens when the level rises above this
  float hysteresis_db = 6.0f;     // closes only below threshold - hysteresis
  float hold_ms = 150.0f;         // stays open this long after the level fell below
  float attack_ms = 2.0f;         // time constant of opening
  float release_ms = 80.0f;       // time constant of closing (after the hold)
  float range_db = -40.0f;        // gain when closed (attenuation, not a hard mute)
  float detector_ms = 10.0f;      // RMS detector time constant
};

// Attenuates a source by range_db while its level stays below the threshold (background
// noise, breathing, keyboard between words) and lets it through unchanged while above.
class NoiseGate {
 public:
  explicit NoiseGate(const NoiseGateParams& params = {});
  void process(std::span<float> samples);
  void reset();
  bool is_open() const { return open_; }
  float gain() const { return gain_; }

 private:
  float open_power_, close_power_;  // thresholds as mean-square values
  float detector_coef_;             // one-pole coefficients per sample
  float attack_coef_, release_coef_;
  float closed_gain_;
  int hold_samples_;
  float power_ = 0.0f;
  float gain_;
  int hold_left_ = 0;
  bool open_ = false;
};

// ---- compressor -------------------------------------------------------------------------

struct CompressorParams {
  float threshold_dbfs = -18.0f;
  float ratio = 3.0f;      // above the threshold, output rises 1 dB per `ratio` dB of input
  float knee_db = 6.0f;    // soft knee width around the threshold (0 = hard knee)
  float attack_ms = 5.0f;  // time constant of gain reduction growing
  float release_ms = 150.0f;
  float makeup_db = 0.0f;     // constant gain after the reduction
  float detector_ms = 10.0f;  // RMS detector time constant
};

// Feed-forward RMS compressor. The gain is computed every kControlBlock samples in dB
// (threshold/ratio/knee), smoothed with the attack/release time constants and ramped
// linearly across the block, so the gain never steps.
class Compressor {
 public:
  static constexpr int kControlBlock = 16;
  explicit Compressor(const CompressorParams& params = {});
  void process(std::span<float> samples);
  void reset();
  // Current gain reduction in dB (<= 0), without makeup.
  float reduction_db() const { return reduction_db_; }
  // Static curve: gain change in dB (<= 0) for a steady input level.
  float static_reduction_db(float level_dbfs) const;

 private:
  float threshold_db_, slope_, knee_db_, makeup_gain_;
  float detector_coef_, attack_coef_, release_coef_;  // per sample / per block
  float power_ = 0.0f;
  float reduction_db_ = 0.0f;
  float gain_;  // linear gain applied at the end of the last block
  int block_pos_ = 0;
  float block_step_ = 0.0f;  // per-sample gain increment within the current block
};

// ---- soft clipper -----------------------------------------------------------------------

struct SoftClipperParams {
  float knee = 0.7f;  // linear below |x| = knee; above, bends smoothly towards 1.0
};

// Transparent below the knee; above it y = knee + (1-knee)*tanh((|x|-knee)/(1-knee)), which
// has slope 1 at the knee and never exceeds 1.0, so the output is always within [-1, 1]
// (and int16 range after to_int16). NaN becomes 0.
class SoftClipper {
 public:
  explicit SoftClipper(const SoftClipperParams& params = {});
  void process(std::span<float> samples) const;
  float apply(float x) const;

 private:
  float knee_, span_;
};

// ---- speaking detection -----------------------------------------------------------------

struct SpeakingParams {
  float threshold_dbfs = -45.0f;  // a frame above this counts as speech
  int hangover_frames = 15;       // stays "speaking" for 15 quiet frames (300 ms) after
};

// Frame-level decision with hangover, so the flag does not flicker between words.
class SpeakingDetector {
 public:
  explicit SpeakingDetector(const SpeakingParams& params = {}) : params_(params) {}
  // Feed one frame's level; returns the new state.
  bool update(float level_dbfs);
  bool speaking() const { return left_ > 0; }
  void reset() { left_ = 0; }

 private:
  SpeakingParams params_;
  int left_ = 0;
};

// ---- per-source chain -------------------------------------------------------------------

struct VoiceChainParams {
  bool high_pass_on = true;
  bool gate_on = true;
  HighPassParams high_pass;
  NoiseGateParams gate;
};

// What each talker's decoded frames go through before mixing: high-pass, then the gate.
class VoiceChain {
 public:
  explicit VoiceChain(const VoiceChainParams& params = {});
  void process(std::span<float> samples);
  void reset();
  const NoiseGate& gate() const { return gate_; }

 private:
  bool high_pass_on_, gate_on_;
  HighPassFilter high_pass_;
  NoiseGate gate_;
};

}  // namespace ttycall::media::audio
