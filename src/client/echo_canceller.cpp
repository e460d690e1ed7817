#include "client/echo_canceller.h"

#include <speex/speex_echo.h>
#include <speex/speex_preprocess.h>

namespace ttycall::client {

namespace audio = media::audio;

EchoCanceller::EchoCanceller()
    : echo_(speex_echo_state_init(audio::kFrameSamples, audio::kSampleRate / 5)),  // 200 ms tail
      preprocess_(speex_preprocess_state_init(audio::kFrameSamples, audio::kSampleRate)) {
  int rate = audio::kSampleRate;
  speex_echo_ctl(echo_, SPEEX_ECHO_SET_SAMPLING_RATE, &rate);
  speex_preprocess_ctl(preprocess_, SPEEX_PREPROCESS_SET_ECHO_STATE, echo_);
}

EchoCanceller::~EchoCanceller() {
  speex_preprocess_state_destroy(preprocess_);
  speex_echo_state_destroy(echo_);
}

void EchoCanceller::played(std::span<const float> frame) {
  for (size_t i = 0; i < reference_.size() && i < frame.size(); ++i) {
    reference_[i] = audio::to_int16(frame[i]);
  }
}

void EchoCanceller::process(std::span<float> mic) {
  for (size_t i = 0; i < mic_.size() && i < mic.size(); ++i) mic_[i] = audio::to_int16(mic[i]);
  speex_echo_cancellation(echo_, mic_.data(), reference_.data(), clean_.data());
  speex_preprocess_run(preprocess_, clean_.data());  // removes the residual echo
  for (size_t i = 0; i < clean_.size() && i < mic.size(); ++i) {
    mic[i] = audio::from_int16(clean_[i]);
  }
}

}  // namespace ttycall::client
