// The audio path allocates nothing per frame: after construction (and one warm-up tick),
// running codec, per-source DSP, mixer, jitter buffer and WAV writing for many ticks leaves
// the process-wide heap counters (src/core/alloc_accounting.h) exactly where they were.
//
// gtest allocates too, so each measurement has nothing but the work between its snapshots.
#include <gtest/gtest.h>

#include <array>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "core/alloc_accounting.h"
#include "media/audio/dsp.h"
#include "media/audio/jitter_buffer.h"
#include "media/audio/mixer.h"
#include "media/audio/opus_codec.h"
#include "media/audio/tone.h"
#include "media/audio/wav_file.h"

namespace ttycall::media::audio {
namespace {

namespace acct = core::alloc_accounting;

// A server tick and a client's receive path for `talkers` talkers among `slots` listeners.
class AudioRig {
 public:
  AudioRig(int slots, int talkers) : mixer_(slots), talkers_(talkers) {
    for (int s = 0; s < slots; ++s) {
      client_encoders_.push_back(std::make_unique<OpusEncoder>());
      server_decoders_.push_back(std::make_unique<OpusDecoder>());
      own_encoders_.push_back(std::make_unique<OpusEncoder>());
      sines_.push_back(std::make_unique<SineSource>(200.0 + 50.0 * s, 0.3f));
    }
  }

  void tick() {
    // Clients capture and encode; the server decodes straight into the mixer.
    for (int s = 0; s < mixer_.slots(); ++s) {
      if (s < talkers_) {
        sines_[size_t(s)]->fill(capture_);
      } else {
        capture_.fill(0.0f);
      }
      const size_t n = client_encoders_[size_t(s)]->encode(capture_, packet_);
      server_decoders_[size_t(s)]->decode(std::span<const uint8_t>(packet_.data(), n),
                                          mixer_.input(s));
      mixer_.submit(s, seq_);
    }
    mixer_.mix();
    // Encode once per distinct output.
    for (int l = 0; l < mixer_.slots(); ++l) {
      if (mixer_.switched_to_own(l)) own_encoders_[size_t(l)]->copy_state_from(shared_encoder_);
    }
    shared_size_ = shared_encoder_.encode(mixer_.mix(AudioMixer::kSharedMix), shared_packet_);
    for (const int s : mixer_.own_mixes()) {
      own_encoders_[size_t(s)]->encode(mixer_.mix(s), packet_);
    }
    // One client's receive path: jitter buffer, decode, a little DSP, record.
    jitter_.push(seq_, seq_, std::span<const uint8_t>(shared_packet_.data(), shared_size_),
                 uint64_t(seq_) * 20000);
    const auto pulled = jitter_.pull(uint64_t(seq_) * 20000 + 10000);
    switch (pulled.action) {
      case JitterBuffer::Action::kDecode:
        client_decoder_.decode(pulled.packet, playback_);
        break;
      case JitterBuffer::Action::kDecodeFec:
        client_decoder_.decode_fec(pulled.packet, playback_);
        break;
      case JitterBuffer::Action::kConceal:
        client_decoder_.conceal(playback_);
        break;
      case JitterBuffer::Action::kNone:
        playback_.fill(0.0f);
        break;
    }
    chain_.process(playback_);
    speaking_.update(rms_dbfs(playback_));
    if (recorder_ != nullptr) recorder_->write(playback_);
    ++seq_;
  }

  void record_to(WavWriter* w) { recorder_ = w; }
  const AudioMixer& mixer() const { return mixer_; }

 private:
  AudioMixer mixer_;
  int talkers_;
  std::vector<std::unique_ptr<OpusEncoder>> client_encoders_;
  std::vector<std::unique_ptr<OpusDecoder>> server_decoders_;
  std::vector<std::unique_ptr<OpusEncoder>> own_encoders_;
  std::vector<std::unique_ptr<SineSource>> sines_;
  OpusEncoder shared_encoder_;
  OpusDecoder client_decoder_;
  JitterBuffer jitter_;
  VoiceChain chain_;
  SpeakingDetector speaking_;
  WavWriter* recorder_ = nullptr;
  std::array<float, kFrameSamples> capture_{};
  std::array<float, kFrameSamples> playback_{};
  std::array<uint8_t, kMaxOpusPacketBytes> packet_{};
  std::array<uint8_t, kMaxOpusPacketBytes> shared_packet_{};
  size_t shared_size_ = 0;
  uint32_t seq_ = 0;
};

TEST(AudioAllocations, SteadyTicksMakeNoHeapAllocation) {
  AudioRig rig(8, 3);
  rig.tick();  // warm-up: anything lazily created on first use is created now

  const core::HeapTotals before = acct::totals();
  for (int i = 0; i < 200; ++i) rig.tick();
  const core::HeapTotals after = acct::totals();

  EXPECT_EQ(after.allocs - before.allocs, 0u);
  EXPECT_EQ(after.frees - before.frees, 0u);
  EXPECT_EQ(rig.mixer().active_count(), 3);  // the work was real
}

TEST(AudioAllocations, RecordingToAWavFileMakesNoHeapAllocationPerFrame) {
  const std::string path =
      (std::filesystem::temp_directory_path() / "ttycall_audio_alloc_test.wav").string();
  WavWriter w;
  ASSERT_TRUE(w.open(path).is_ok());
  AudioRig rig(3, 2);
  rig.record_to(&w);
  rig.tick();

  const core::HeapTotals before = acct::totals();
  for (int i = 0; i < 100; ++i) rig.tick();
  const core::HeapTotals after = acct::totals();

  EXPECT_EQ(after.allocs - before.allocs, 0u);
  EXPECT_TRUE(w.close().is_ok());
  std::filesystem::remove(path);
}

TEST(AudioAllocations, DspStagesHoldNoHeapAtAll) {
  const core::HeapTotals before = acct::totals();
  {
    HighPassFilter hp;
    NoiseGate gate;
    Compressor comp;
    SoftClipper clip;
    std::array<float, kFrameSamples> frame{};
    SineSource sine(440, 0.9f);
    for (int i = 0; i < 100; ++i) {
      sine.fill(frame);
      hp.process(frame);
      gate.process(frame);
      comp.process(frame);
      clip.process(frame);
    }
  }
  const core::HeapTotals after = acct::totals();
  EXPECT_EQ(after.allocs - before.allocs, 0u);
}

}  // namespace
}  // namespace ttycall::media::audio
