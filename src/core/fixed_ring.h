#pragma once
// A first-in first-out queue of at most N values in fixed storage: never allocates.
//
// The bounded queues of a connection (control packets, audio packets, decoded audio
// frames) all have one of two drop rules, so they share this one ring: refuse a value when
// full (push(), or full() before filling next_slot() in place; the caller decides what a
// refusal means), or make_room() by dropping the oldest first (for media, where late is
// useless). Not thread-safe: the owner locks.
#include <array>
#include <cstddef>

namespace ttycall::core {

template <class T, size_t N>
class FixedRing {
  static_assert(N > 0);

 public:
  size_t size() const { return count_; }
  bool empty() const { return count_ == 0; }
  bool full() const { return count_ == N; }
  static constexpr size_t capacity() { return N; }

  // The slot a push would fill, to be written in place before commit_push(). Only when
  // not full.
  T& next_slot() { return slots_[(head_ + count_) % N]; }
  void commit_push() { ++count_; }

  // Appends a copy; false (and nothing changes) when full.
  bool push(const T& value) {
    if (full()) return false;
    next_slot() = value;
    commit_push();
    return true;
  }
  // Makes room for one more by dropping the oldest when full; returns whether it did.
  bool make_room() {
    if (!full()) return false;
    pop();
    return true;
  }

  T& front() { return slots_[head_]; }
  const T& front() const { return slots_[head_]; }
  void pop() {
    if (count_ == 0) return;
    head_ = (head_ + 1) % N;
    --count_;
  }
  void clear() {
    head_ = 0;
    count_ = 0;
  }

 private:
  std::array<T, N> slots_{};
  size_t head_ = 0;
  size_t count_ = 0;
};

}  // namespace ttycall::core
