#include "server/participant.h"

#include <algorithm>

namespace ttycall::server {

void Participant::set_view(const ViewKey& key) {
  view_layout_.store(key.packed_layout(), std::memory_order_release);
  view_.store(key.packed(), std::memory_order_release);
}

VideoFrame Participant::latest_video() const {
  std::lock_guard lock(video_mutex_);
  return latest_;
}

void Participant::put_video(VideoFrame frame) {
  {
    std::lock_guard lock(video_mutex_);
    std::swap(latest_, frame);  // the previous frame is released outside the lock
  }
  // The first frame changes what the participant list says (kHasVideo).
  if (video_version_.fetch_add(1, std::memory_order_acq_rel) == 0) list_changed();
}

void Participant::drop_video() {
  VideoFrame released;
  std::lock_guard lock(video_mutex_);
  std::swap(latest_, released);
}

void Participant::set_video_off(bool off) {
  if (video_off_.exchange(off, std::memory_order_acq_rel) != off) list_changed();
}

void Participant::set_muted(bool muted) {
  if (muted_.exchange(muted, std::memory_order_acq_rel) != muted) list_changed();
}

void Participant::set_speaking(bool on) {
  if (speaking_.exchange(on, std::memory_order_acq_rel) != on) list_changed();
}

uint8_t Participant::list_flags() const {
  return uint8_t((video_version() > 0 && !video_off() ? net::kHasVideo : 0) |
                 (speaking() ? net::kSpeaking : 0) | (muted() ? net::kMuted : 0));
}

void Participant::push_audio(std::span<const float> samples, uint64_t capture_us) {
  std::lock_guard lock(audio_mutex_);
  audio_.make_room();  // full: the oldest goes
  DecodedAudio& frame = audio_.next_slot();
  std::copy_n(samples.begin(), std::min(samples.size(), frame.samples.size()),
              frame.samples.begin());
  frame.capture_us = capture_us;
  audio_.commit_push();
}

bool Participant::pop_audio(std::span<float> out, uint64_t& capture_us) {
  std::lock_guard lock(audio_mutex_);
  if (audio_.empty()) {
    audio_backlog_ticks_ = 0;
    return false;
  }
  // The mixer takes one frame per tick and the client sends one per 20 ms, so a backlog
  // left by a stall would stay for the rest of the call. When frames have been waiting for
  // half a second, skip one: a brief glitch instead of a lasting delay.
  if (audio_.size() > 1) {
    if (++audio_backlog_ticks_ >= kAudioBacklogTicks) {
      audio_.pop();
      audio_backlog_ticks_ = 0;
    }
  } else {
    audio_backlog_ticks_ = 0;
  }
  const DecodedAudio& frame = audio_.front();
  std::copy(frame.samples.begin(), frame.samples.end(), out.begin());
  capture_us = frame.capture_us;
  audio_.pop();
  return true;
}

}  // namespace ttycall::server
