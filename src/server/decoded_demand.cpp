#include "server/decoded_demand.h"

#include <algorithm>
#include <cstdint>

namespace ttycall::server {

DecodedDemand::DecodedDemand(core::BufferPool& pool) : pool_(pool) {
  pool_.shrink_to(frames_for(0));
}

bool DecodedDemand::add(int change) {
  if (change == 0) return true;
  std::lock_guard lock(mutex_);
  if (change > 0) {
    shown_ += size_t(change);
    return pool_.reserve(frames_for(shown_));
  }
  shown_ -= std::min(shown_, size_t(-int64_t(change)));
  pool_.shrink_to(frames_for(shown_));
  return true;
}

size_t DecodedDemand::shown() const {
  std::lock_guard lock(mutex_);
  return shown_;
}

}  // namespace ttycall::server
