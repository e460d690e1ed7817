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
  turn_ = 0;
  turn_credited_ = false;
  deficit_ = {};
  closing_ = false;
}

size_t SendQueues::head_cost(size_t traffic_class) const {
  switch (traffic_class) {
    case 0:
      return control_.empty() ? 0 : control_.front().size + kPacketCharge;
    case 1:
      return audio_.empty() ? 0 : audio_.front().size + kPacketCharge;
    default:
      return video_ ? video_.size() + kPacketCharge : 0;
  }
}

SendQueues::Taken SendQueues::pop_audio(std::span<uint8_t> out) {
  const AudioSlot& slot = audio_.front();
  std::copy_n(slot.bytes.begin(), slot.size, out.begin());
  const Taken taken{Kind::kAudio, slot.size, Sealing::kSealed, {}};
  audio_.pop();
  return taken;
}

SendQueues::Taken SendQueues::pop(size_t traffic_class, std::span<uint8_t> out) {
  Taken taken;
  switch (traffic_class) {
    case 0: {
      const ControlSlot& slot = control_.front();
      std::copy_n(slot.bytes.begin(), slot.size, out.begin());
      taken = {Kind::kControl, slot.size, slot.sealing, {}};
      control_.pop();
      break;
    }
    case 1:
      taken = pop_audio(out);
      break;
    default:
      taken.kind = Kind::kVideo;
      taken.video = std::move(video_);
      break;
  }
  return taken;
}

void SendQueues::next_turn() {
  turn_ = (turn_ + 1) % kClasses;
  turn_credited_ = false;
}

SendQueues::Taken SendQueues::take(std::span<uint8_t> out, bool video_allowed) {
  constexpr std::array<size_t, kClasses> kQuantum = {kControlQuantum, kAudioQuantum, kVideoQuantum};
  std::lock_guard lock(mutex_);
  std::array<size_t, kClasses> cost{};
  int waiting = 0;
  for (size_t c = 0; c < kClasses; ++c) {
    cost[c] = head_cost(c);
    waiting += cost[c] != 0;
  }
  if (waiting == 0) return {};
  // Each pass either sends or moves the turn on, crediting a waiting class its quantum, so
  // it ends within cost / quantum rounds (a few hundred for the largest frame, but a frame
  // that large is alone on the line, and the shortcut below sends it at once).
  for (;;) {
    const size_t c = turn_;
    if (cost[c] == 0) {
      deficit_[c] = 0;  // nothing waiting: what it had is forfeit
      next_turn();
      continue;
    }
    if (!turn_credited_) {
      deficit_[c] += kQuantum[c];
      turn_credited_ = true;
    }
    const bool alone = waiting == 1;  // nobody waits on it: no share to keep
    if (cost[c] <= deficit_[c] || alone) {
      if (c == 2 && !video_allowed) {
        // The frame's turn, but no room for it yet: it keeps the turn (and what it gained)
        // and only audio may go meanwhile.
        return audio_.empty() ? Taken{} : pop_audio(out);
      }
      deficit_[c] = cost[c] <= deficit_[c] ? deficit_[c] - cost[c] : 0;
      return pop(c, out);
    }
    next_turn();
  }
}

}  // namespace ttycall::net
