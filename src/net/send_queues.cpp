#include "net/send_queues.h"

#include <algorithm>

namespace ttycall::net {

static_assert(kMaxControlPacket >= kMaxAudioPacket, "take() copies both into one buffer");

bool SendQueues::push_control(std::span<const uint8_t> packet, Sealing sealing) {
  std::lock_guard lock(mutex_);
  if (packet.size() > ControlSlot{}.bytes.size() || control_.full()) return false;
  ControlSlot& slot = control_.next_slot();
  std::copy(packet.begin(), packet.end(), slot.bytes.begin());
  slot.size = uint16_t(packet.size());
  slot.sealing = sealing;
  control_.commit_push();
  return true;
}

bool SendQueues::push_audio(std::span<const uint8_t> packet) {
  std::lock_guard lock(mutex_);
  if (packet.size() > AudioSlot{}.bytes.size() || closing_) return false;
  audio_.make_room();  // the peer is behind: the oldest packet goes
  AudioSlot& slot = audio_.next_slot();
  std::copy(packet.begin(), packet.end(), slot.bytes.begin());
  slot.size = uint16_t(packet.size());
  audio_.commit_push();
  return true;
}

bool SendQueues::offer_video(const core::PooledBuffer& packet) {
  std::lock_guard lock(mutex_);
  if (closing_) return false;
  const bool replaced = bool(video_);
  video_ = packet;  // newest wins; the replaced frame goes back to its pool
  return replaced;
}

bool SendQueues::video_waiting() const {
  std::lock_guard lock(mutex_);
  return bool(video_);
}

void SendQueues::close_after_flush() {
  std::lock_guard lock(mutex_);
  closing_ = true;
  video_.reset();
  audio_.clear();
}

bool SendQueues::closing() const {
  std::lock_guard lock(mutex_);
  return closing_;
}

void SendQueues::clear() {
  std::lock_guard lock(mutex_);
  control_.clear();
  audio_.clear();
  video_.reset();
  audio_since_video_ = 0;
  closing_ = false;
}

SendQueues::Taken SendQueues::take(std::span<uint8_t> out, bool video_allowed) {
  Taken taken;
  std::lock_guard lock(mutex_);
  const bool video_ready = video_allowed && bool(video_);
  if (!control_.empty()) {
    const ControlSlot& slot = control_.front();
    std::copy_n(slot.bytes.begin(), slot.size, out.begin());
    taken = {Kind::kControl, slot.size, slot.sealing, {}};
    control_.pop();
  } else if (!audio_.empty() && !(video_ready && audio_since_video_ >= kAudioBeforeVideo)) {
    const AudioSlot& slot = audio_.front();
    std::copy_n(slot.bytes.begin(), slot.size, out.begin());
    taken = {Kind::kAudio, slot.size, Sealing::kSealed, {}};
    audio_.pop();
    ++audio_since_video_;
  } else if (video_ready) {
    taken.kind = Kind::kVideo;
    taken.video = std::move(video_);
    audio_since_video_ = 0;
  }
  return taken;
}

}  // namespace ttycall::net
