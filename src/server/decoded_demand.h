#pragma once
// How many decoded camera frames the server needs, and the pool that holds them following it.
//
// Only members some view shows, with their camera on, are asked for video (the compositor's
// VideoRequest), so only they ever hold decoded frames: kFramesPerShownMember each, across
// all rooms, and a spare few. Each room's compositor adds its net change once a tick (a
// gallery that swaps one member for another changes nothing, so rotating speakers cost no
// heap) and takes its count back when it goes. The pool is reserved up to the total when
// it rises and shrunk to it when it falls.
//
// Thread-safe: compositors tick on the control thread, but a room (and its compositor) may
// die on an io thread. Never throws; a reservation the budget refuses leaves the pool short,
// and the frames that find it empty are dropped and counted, as any pool miss.
#include <cstddef>
#include <mutex>

#include "core/buffer_pool.h"

namespace ttycall::server {

class DecodedDemand {
 public:
  // The latest frame, the one being decoded, and the previous one a render may still hold.
  static constexpr size_t kFramesPerShownMember = 3;
  // For the overlap of a swap: a member just hidden may still hold a frame (one being
  // decoded) while the one shown in its place starts, and a swap changes no count.
  static constexpr size_t kSpareFrames = 2;
  static constexpr size_t frames_for(size_t shown) {
    return shown * kFramesPerShownMember + kSpareFrames;
  }

  // Lowers `pool`'s target to frames_for(0) at once: nobody is shown yet.
  explicit DecodedDemand(core::BufferPool& pool);
  DecodedDemand(const DecodedDemand&) = delete;
  DecodedDemand& operator=(const DecodedDemand&) = delete;

  // Adds `change` shown members (negative: fewer; the total never goes below zero) and
  // makes the pool follow. False when the pool could not reserve all it should (the
  // budget or the heap refused).
  bool add(int change);
  size_t shown() const;
  // The decoded-frame bytes `shown` members hold (a room's share, for the Memory Report).
  size_t bytes_for(size_t shown) const {
    return shown * kFramesPerShownMember * pool_.buffer_size();
  }

 private:
  core::BufferPool& pool_;
  mutable std::mutex mutex_;  // held across the pool call, so the pool sees totals in order
  size_t shown_ = 0;
};

}  // namespace ttycall::server
