#include "server/chat_history.h"

#include <algorithm>

namespace ttycall::server {

ChatHistory::ChatHistory(int capacity) : ring_(size_t(std::clamp(capacity, 0, kMaxCapacity))) {}

uint64_t ChatHistory::stamp(uint64_t now_us) {
  last_stamp_us_ = std::max(now_us, last_stamp_us_ + 1);
  return last_stamp_us_;
}

uint64_t ChatHistory::add(const net::ChatMessage& message) {
  const uint64_t seq = next_seq_++;
  if (ring_.empty()) return seq;
  ring_[seq % ring_.size()] = message;
  count_ = std::min(count_ + 1, ring_.size());
  return seq;
}

const net::ChatMessage* ChatHistory::find(uint64_t seq) const {
  if (seq < oldest_seq() || seq >= next_seq_) return nullptr;
  return &ring_[seq % ring_.size()];
}

}  // namespace ttycall::server
