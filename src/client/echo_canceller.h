#pragma once
// Acoustic echo cancellation (speexdsp) for a call on laptop speakers: what the speaker
// played is subtracted from what the microphone heard, so the others do not hear
// themselves. Used only when both microphone and speaker are real devices.
#include <array>
#include <span>

#include "media/audio/audio_format.h"

struct SpeexEchoState_;
struct SpeexPreprocessState_;

namespace ttycall::client {

class EchoCanceller {
 public:
  EchoCanceller();
  ~EchoCanceller();
  EchoCanceller(const EchoCanceller&) = delete;
  EchoCanceller& operator=(const EchoCanceller&) = delete;

  // Remembers a frame sent to the speaker (the echo reference).
  void played(std::span<const float> frame);
  // Cleans a microphone frame in place.
  void process(std::span<float> mic);

 private:
  SpeexEchoState_* echo_;
  SpeexPreprocessState_* preprocess_;
  std::array<short, media::audio::kFrameSamples> reference_{};
  std::array<short, media::audio::kFrameSamples> mic_{};
  std::array<short, media::audio::kFrameSamples> clean_{};
};

}  // namespace ttycall::client
