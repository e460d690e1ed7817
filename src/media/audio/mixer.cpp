#include "media/audio/mixer.h"

#include <algorithm>
#include <cmath>

#include "core/alloc_accounting.h"

namespace ttycall::media::audio {
namespace {

const core::AllocSite& mixer_site() {
  static const core::AllocSite site("audio.mixer");
  return site;
}

// Per-frame smoothing of a source's level for the dominance decision: fast up, slow down,
// so a talker's short pauses do not hand dominance to someone else.
constexpr float kLevelRise = 0.5f;
constexpr float kLevelFall = 0.1f;

SpeakingParams active_params(const MixerParams& p) {
  return SpeakingParams{p.active_threshold_dbfs, p.active_hangover_frames};
}

}  // namespace

AudioMixer::AudioMixer(int slots, const MixerParams& params)
    : slots_(std::max(slots, 1)),
      max_mixed_(std::clamp(params.max_mixed, 1, kMaxMixed)),
      params_(params),
      clipper_(params.clipper),
      shared_compressor_(params.compressor) {
  const core::ScopedAllocSite scope(mixer_site());
  const Source proto{VoiceChain(params.voice), SpeakingDetector(active_params(params)),
                     SpeakingDetector(params.speaking)};
  sources_.assign(size_t(slots_), proto);
  inputs_.assign(size_t(slots_) * kFrameSamples, 0.0f);
  own_.assign(size_t(max_mixed_) * kFrameSamples, 0.0f);
  own_compressors_.assign(size_t(max_mixed_), Compressor(params.compressor));
  candidates_.reserve(size_t(slots_));
}

std::span<float> AudioMixer::input(int slot) {
  if (slot < 0 || slot >= slots_) return {};
  return {input_ptr(slot), size_t(kFrameSamples)};
}

void AudioMixer::submit(int slot, uint64_t capture_us) {
  if (slot < 0 || slot >= slots_) return;
  sources_[size_t(slot)].submitted = true;
  sources_[size_t(slot)].capture_us = capture_us;
}

void AudioMixer::reset_slot(int slot) {
  if (slot < 0 || slot >= slots_) return;
  Source& s = sources_[size_t(slot)];
  s.chain.reset();
  s.active_detector.reset();
  s.speaking_detector.reset();
  if (s.seat >= 0) seat_taken_[size_t(s.seat)] = false;
  s.level_dbfs = s.smoothed_dbfs = kSilenceDbfs;
  s.gain = s.gain_to = 0.0f;
  s.capture_us = 0;
  s.submitted = s.active = s.was_active = s.speaking = false;
  s.seat = -1;
  active_count_ =
      int(std::remove(active_list_.begin(), active_list_.begin() + active_count_, slot) -
          active_list_.begin());
}

void AudioMixer::add_scaled(const Source& s, const float* x, float* sum, float sign) const {
  const float step = (s.gain_to - s.gain) / float(kFrameSamples);
  float g = s.gain;
  for (int i = 0; i < kFrameSamples; ++i) {
    g += step;
    sum[i] += sign * g * x[i];
  }
}

void AudioMixer::mix() {
  begin_tick();
  measure_sources();
  choose_mixed();
  choose_dominant();
  sum_active_sources();
  seed_new_own_compressors();
  finish_shared_mix();
  finish_own_mixes();
  end_tick();
}

void AudioMixer::begin_tick() {
  for (Source& s : sources_) {
    s.was_active = s.active;
    s.active = false;
  }
  active_count_ = 0;
  candidates_.clear();
  newest_capture_[0] = newest_capture_[1] = 0;
  newest_slot_ = -1;
}

void AudioMixer::measure_sources() {
  for (int slot = 0; slot < slots_; ++slot) {
    if (measure(slot)) candidates_.push_back(slot);  // reserved for every slot
  }
}

void AudioMixer::choose_mixed() {
  // The loudest max_mixed candidates; one mixed last tick keeps its place against a
  // newcomer unless the newcomer is clearly louder.
  const auto loudness = [&](int slot) {
    const Source& s = sources_[size_t(slot)];
    return s.smoothed_dbfs + (s.was_active ? kStayBonusDb : 0.0f);
  };
  const auto louder = [&](int a, int b) {
    const float la = loudness(a), lb = loudness(b);
    return la != lb ? la > lb : a < b;
  };
  const auto keep = ptrdiff_t(std::min(candidates_.size(), size_t(max_mixed_)));
  std::partial_sort(candidates_.begin(), candidates_.begin() + keep, candidates_.end(), louder);
  std::sort(candidates_.begin(), candidates_.begin() + keep);  // ascending slots
  for (ptrdiff_t k = 0; k < keep; ++k) sources_[size_t(candidates_[size_t(k)])].active = true;
  // Those no longer mixed give their seat back before newcomers take one.
  for (Source& s : sources_) {
    if (s.seat >= 0 && !s.active) {
      seat_taken_[size_t(s.seat)] = false;
      s.seat = -1;
    }
  }
  for (ptrdiff_t k = 0; k < keep; ++k) add_active(candidates_[size_t(k)]);
}

bool AudioMixer::measure(int slot) {
  Source& s = sources_[size_t(slot)];
  float level = kSilenceDbfs;
  if (s.submitted) {
    const std::span<float> frame(input_ptr(slot), size_t(kFrameSamples));
    if (params_.source_dsp_on) s.chain.process(frame);
    level = rms_dbfs(frame);
  }
  s.level_dbfs = level;
  s.smoothed_dbfs +=
      (level > s.smoothed_dbfs ? kLevelRise : kLevelFall) * (level - s.smoothed_dbfs);
  // Both detectors see every frame, so their hangovers run while the slot is silent.
  const bool active = s.active_detector.update(level) && s.submitted;
  s.speaking = s.speaking_detector.update(level);
  return active;
}

void AudioMixer::add_active(int slot) {
  Source& s = sources_[size_t(slot)];
  if (s.seat < 0) {
    s.seat = int(std::find(seat_taken_.begin(), seat_taken_.begin() + max_mixed_, false) -
                 seat_taken_.begin());
    seat_taken_[size_t(s.seat)] = true;
  }
  active_list_[size_t(active_count_++)] = slot;
  const uint64_t capture_us = sources_[size_t(slot)].capture_us;
  if (capture_us >= newest_capture_[0]) {
    newest_capture_[1] = newest_capture_[0];
    newest_capture_[0] = capture_us;
    newest_slot_ = slot;
  } else if (capture_us > newest_capture_[1]) {
    newest_capture_[1] = capture_us;
  }
}

void AudioMixer::choose_dominant() {
  dominant_ = -1;
  if (active_count_ < 2 || params_.duck_db >= 0.0f) return;
  int best = -1;
  float best_db = kSilenceDbfs - 1.0f, second_db = kSilenceDbfs - 1.0f;
  for (int k = 0; k < active_count_; ++k) {
    const float db = sources_[size_t(active_list_[size_t(k)])].smoothed_dbfs;
    if (db > best_db) {
      second_db = best_db;
      best_db = db;
      best = active_list_[size_t(k)];
    } else if (db > second_db) {
      second_db = db;
    }
  }
  if (best >= 0 && speaking(best) && best_db - second_db >= params_.dominance_db) {
    dominant_ = best;
  }
}

void AudioMixer::sum_active_sources() {
  const float crowd =
      params_.crowd_scaling_on ? 1.0f / std::sqrt(float(std::max(active_count_, 1))) : 1.0f;
  const float duck = db_to_gain(std::min(params_.duck_db, 0.0f));
  sum_.fill(0.0f);
  for (int k = 0; k < active_count_; ++k) {
    const int slot = active_list_[size_t(k)];
    Source& s = sources_[size_t(slot)];
    if (!s.was_active) s.gain = 0.0f;  // fade in over one frame
    s.gain_to = crowd * (dominant_ >= 0 && slot != dominant_ ? duck : 1.0f);
    add_scaled(s, input_ptr(slot), sum_.data(), 1.0f);
  }
}

// Before finish_shared_mix(): a listener switching to an own mix continues from the state
// the shared mix they heard last tick left.
void AudioMixer::seed_new_own_compressors() {
  for (int k = 0; k < active_count_; ++k) {
    const int slot = active_list_[size_t(k)];
    const Source& s = sources_[size_t(slot)];
    if (!s.was_active) own_compressors_[size_t(s.seat)] = shared_compressor_;
  }
}

void AudioMixer::finish_shared_mix() {
  shared_ = sum_;
  shared_compressor_.process(shared_);
  clipper_.process(shared_);
}

void AudioMixer::finish_own_mixes() {
  for (int k = 0; k < active_count_; ++k) {
    const int slot = active_list_[size_t(k)];
    Source& s = sources_[size_t(slot)];
    float* out = own_ptr(slot);
    std::copy(sum_.begin(), sum_.end(), out);
    add_scaled(s, input_ptr(slot), out, -1.0f);
    const std::span<float> frame(out, size_t(kFrameSamples));
    own_compressors_[size_t(s.seat)].process(frame);
    clipper_.process(frame);
  }
}

// Gains reached their targets; inputs are consumed.
void AudioMixer::end_tick() {
  for (int slot = 0; slot < slots_; ++slot) {
    Source& s = sources_[size_t(slot)];
    if (!active(slot)) s.gain_to = 0.0f;
    s.gain = s.gain_to;
    s.submitted = false;
  }
}

int AudioMixer::mix_for(int listener) const {
  if (listener < 0 || listener >= slots_ || !active(listener)) return kSharedMix;
  return listener;
}

std::span<const float> AudioMixer::mix(int mix_id) const {
  if (mix_id == kSharedMix || mix_id < 0 || mix_id >= slots_ || !active(mix_id)) {
    return {shared_.data(), shared_.size()};
  }
  return {own_.data() + size_t(sources_[size_t(mix_id)].seat) * kFrameSamples,
          size_t(kFrameSamples)};
}

uint64_t AudioMixer::capture_us(int mix_id) const {
  if (mix_id >= 0 && mix_id == newest_slot_) return newest_capture_[1];
  return newest_capture_[0];
}

bool AudioMixer::switched_to_own(int listener) const {
  if (listener < 0 || listener >= slots_) return false;
  return active(listener) && !sources_[size_t(listener)].was_active;
}

float AudioMixer::level_dbfs(int slot) const {
  if (slot < 0 || slot >= slots_) return kSilenceDbfs;
  return sources_[size_t(slot)].level_dbfs;
}

}  // namespace ttycall::media::audio
