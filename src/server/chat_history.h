#pragma once
// The last messages of a room's chat, for members who join late: a ring of at most
// `capacity` messages, allocated once when the room is made, so chatting allocates nothing.
// Every message gets the next sequence number (from 1); a message stays readable by its
// number until `capacity` newer ones have pushed it out. Nothing is stored on disk.
// Message times rise strictly within a room (stamp()): a client that reconnects and is sent
// the history again tells what it has already seen by the time alone (docs/PROTOCOL.md).
// Not thread-safe: the room's mutex guards it.
#include <cstddef>
#include <cstdint>
#include <vector>

#include "net/protocol.h"

namespace ttycall::server {

class ChatHistory {
 public:
  static constexpr int kMaxCapacity = 1000;  // --chat-history's bound: about 0.5 MB a room
  explicit ChatHistory(int capacity);        // clamped to 0..kMaxCapacity

  // The time for the next message: `now_us`, or 1 µs after the last one when the clock has
  // not moved on since (or stepped back), so that no two messages share a time.
  uint64_t stamp(uint64_t now_us);
  // Keeps `message` (dropping the oldest when full); returns its sequence number.
  uint64_t add(const net::ChatMessage& message);
  // The sequence number the next message will get.
  uint64_t next_seq() const { return next_seq_; }
  // The oldest sequence number still held (next_seq() when empty).
  uint64_t oldest_seq() const { return next_seq_ - count_; }
  // The message `seq`, or nullptr when it is not (or no longer) held.
  const net::ChatMessage* find(uint64_t seq) const;
  size_t size() const { return count_; }

 private:
  std::vector<net::ChatMessage> ring_;  // sized once
  uint64_t next_seq_ = 1;
  uint64_t last_stamp_us_ = 0;
  size_t count_ = 0;
};

}  // namespace ttycall::server
