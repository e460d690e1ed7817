#pragma once
// AudioMixer: the server's 20 ms mix for one room, each participant both a source (talker)
// and a listener, identified by a slot number 0..slots-1.
//
// Per tick the caller decodes each talker's frame straight into input(slot), calls
// submit(slot, capture_us), then mix(). mix() runs every submitted frame through its
// slot's VoiceChain (high-pass, noise gate), measures it, and decides which sources are
// *active* (submitted and above active_threshold_dbfs, with a hangover): only active sources
// are mixed. It computes the sum of all active sources ONCE, then
//   - the shared mix  = sum, heard by every listener who is not an active source;
//   - an own mix      = sum minus self, one per active source;
// and runs each output through its own Compressor and the SoftClipper, so no output
// exceeds [-1, 1]. In a call where a few people talk, most listeners share one mix, which
// the server therefore encodes once.
//
// Gains: each active source is scaled by 1/sqrt(n) for n active sources (crowd scaling)
// and, while one source is clearly dominant (its smoothed level is dominance_db above every
// other active source and it is speaking), every other source by duck_db (ducking). Gains
// ramp linearly across a frame, so changes never click.
//
// Encoding once per distinct output, each tick after mix():
//   for every listener l with switched_to_own(l): own_encoder[l].copy_state_from(shared_enc)
//       (before encoding the shared mix, so the listener's decoder sees a continuous stream)
//   if any listener has mix_for(l) == kSharedMix: encode mix(kSharedMix) once
//   for s in own_mixes(): encode mix(s) with own_encoder[s]
//   send listener l the packet of mix_for(l); capture_us(mix_for(l)) for AudioDown.
// (Going back from an own mix to the shared one is a stream switch Opus decoders ride out
// with at most a brief artefact.)
//
// Everything is sized in the constructor; mix() and the accessors never allocate.
// Not thread-safe: one thread runs the tick.
#include <array>
#include <cstdint>
#include <span>
#include <vector>

#include "media/audio/audio_format.h"
#include "media/audio/dsp.h"

namespace ttycall::media::audio {

struct MixerParams {
  bool source_dsp_on = true;  // run each submitted frame through a VoiceChain
  VoiceChainParams voice;
  float active_threshold_dbfs = -60.0f;  // mixed while above this (after the gate) ...
  int active_hangover_frames = 25;       // ... and for 500 ms after: word tails, pauses
  SpeakingParams speaking;               // the "speaking" flag shown to viewers
  bool crowd_scaling_on = true;          // per-source gain 1/sqrt(active sources)
  float duck_db = -6.0f;                 // others' gain while one talker dominates; 0 = off
  float dominance_db = 10.0f;            // how far the loudest must be above the next
  int max_mixed = 6;                     // loudest active sources mixed (1..kMaxMixed)
  CompressorParams compressor;
  SoftClipperParams clipper;
};

class AudioMixer {
 public:
  static constexpr int kMaxMixed = 16;
  static constexpr int kSharedMix = -1;
  static constexpr float kStayBonusDb = 6.0f;

  explicit AudioMixer(int slots, const MixerParams& params = {});

  int slots() const { return slots_; }

  // ---- input, per tick ----
  // Where the caller writes slot's frame for this tick (kFrameSamples samples).
  std::span<float> input(int slot);
  // Marks input(slot) as holding this tick's frame. A slot not submitted this tick (muted,
  // gone, no packet and no concealment) is not mixed.
  void submit(int slot, uint64_t capture_us = 0);
  // A new participant in `slot`: forgets its DSP state, levels and flags.
  void reset_slot(int slot);

  // ---- the tick ----
  void mix();

  // ---- results of the last mix() ----
  // kSharedMix, or `listener` itself when the listener is an active source.
  int mix_for(int listener) const;
  // kFrameSamples samples of a mix: kSharedMix or a slot listed in own_mixes().
  std::span<const float> mix(int mix_id) const;
  // The active sources, ascending: the slots that have their own mix this tick.
  std::span<const int> own_mixes() const { return {active_list_.data(), size_t(active_count_)}; }
  // Which of max_mixed() seats an active source's own mix has (-1: not active). A source
  // keeps its seat while it stays active, so an encoder per seat stays with one stream.
  int seat(int slot) const { return in_range(slot) ? sources_[size_t(slot)].seat : -1; }
  int max_mixed() const { return max_mixed_; }
  // The newest capture time among the sources in a mix (0 if none).
  uint64_t capture_us(int mix_id) const;
  // True when `listener` has its own mix this tick but had the shared one last tick.
  bool switched_to_own(int listener) const;

  bool active(int slot) const { return in_range(slot) && sources_[size_t(slot)].active; }
  bool speaking(int slot) const { return in_range(slot) && sources_[size_t(slot)].speaking; }
  int active_count() const { return active_count_; }
  // Level of slot's last submitted frame after the VoiceChain (kSilenceDbfs if none).
  float level_dbfs(int slot) const;
  // The source that ducks the others this tick, or -1.
  int dominant() const { return dominant_; }

 private:
  struct Source {
    VoiceChain chain;
    SpeakingDetector active_detector;
    SpeakingDetector speaking_detector;
    float level_dbfs = kSilenceDbfs;
    float smoothed_dbfs = kSilenceDbfs;
    float gain = 0.0f;     // gain at the end of the last frame it was mixed in
    float gain_to = 0.0f;  // this tick's target
    uint64_t capture_us = 0;
    bool submitted = false;
    bool active = false;
    bool was_active = false;  // last tick
    bool speaking = false;
    int seat = -1;  // while active: its own mix's place in own_ and own_compressors_
  };

  bool in_range(int slot) const { return slot >= 0 && slot < slots_; }
  float* input_ptr(int slot) { return inputs_.data() + size_t(slot) * kFrameSamples; }
  float* own_ptr(int slot) {
    return own_.data() + size_t(sources_[size_t(slot)].seat) * kFrameSamples;
  }
  void add_scaled(const Source& s, const float* x, float* sum, float sign) const;

  // The steps of mix(), in order.
  void begin_tick();
  void measure_sources();  // per-source DSP, levels, activity, speaking
  void choose_mixed();     // the loudest max_mixed of the candidates, and their seats
  void choose_dominant();  // the talker who ducks the others, if any
  void sum_active_sources();
  void seed_new_own_compressors();
  void finish_shared_mix();
  void finish_own_mixes();  // sum minus self
  void end_tick();
  // measure_sources() for one slot; true when the slot may be mixed this tick.
  bool measure(int slot);
  // Lists an active slot and keeps the two newest capture times.
  void add_active(int slot);

  int slots_;
  int max_mixed_;
  MixerParams params_;
  SoftClipper clipper_;
  Compressor shared_compressor_;
  std::vector<Source> sources_;
  std::vector<float> inputs_;                // slots x kFrameSamples
  std::vector<float> own_;                   // max_mixed x kFrameSamples, by seat
  std::vector<Compressor> own_compressors_;  // by seat
  std::array<float, kFrameSamples> sum_{};
  std::array<float, kFrameSamples> shared_{};
  std::vector<int> candidates_;  // this tick's sources above the threshold (slots reserved)
  std::array<int, kMaxMixed> active_list_{};
  int active_count_ = 0;
  std::array<bool, kMaxMixed> seat_taken_{};
  uint64_t newest_capture_[2] = {0, 0};  // the two newest capture times among active sources
  int newest_slot_ = -1;                 // whose capture time newest_capture_[0] is
  int dominant_ = -1;
};

}  // namespace ttycall::media::audio
