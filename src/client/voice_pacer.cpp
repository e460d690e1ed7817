#include "client/voice_pacer.h"

namespace ttycall::client {

void VoicePacer::start(Voice& voice) {
  voice_ = &voice;
  next_ = core::SteadyClock::now();
  schedule();
}

void VoicePacer::stop() {
  voice_ = nullptr;
  ++generation_;
  timer_.cancel();
}

void VoicePacer::schedule() {
  next_ += std::chrono::milliseconds(media::audio::kFrameMs);
  const auto now = core::SteadyClock::now();
  if (next_ < now - std::chrono::milliseconds(100)) next_ = now;  // stalled
  timer_.expires_at(next_);
  timer_.async_wait([this, generation = generation_](const asio::error_code& ec) {
    if (ec || generation != generation_ || voice_ == nullptr) return;
    voice_->capture(send_);
    voice_->play();
    schedule();
  });
}

}  // namespace ttycall::client
