#pragma once
// A cap on the bytes a process's pools may reserve, shared by all of them.
//
// The pools' blocks are the server's big memory (decoded camera frames, composed frames,
// receive buffers). Each block is charged when it is made and credited when it is freed,
// so the cap holds across rooms coming and going; a pool that would pass it counts a miss
// instead (the frame is dropped), which is how the server stays up when too many large
// views arrive at once. Thread-safe and lock-free.
#include <atomic>
#include <cstddef>
#include <cstdint>
#include <limits>

namespace ttycall::core {

class MemoryBudget {
 public:
  explicit MemoryBudget(size_t max_bytes = std::numeric_limits<size_t>::max())
      : max_bytes_(max_bytes) {}
  MemoryBudget(const MemoryBudget&) = delete;
  MemoryBudget& operator=(const MemoryBudget&) = delete;

  // Charges `bytes` if that stays within the cap; false (nothing charged) otherwise.
  bool try_charge(size_t bytes) noexcept {
    size_t used = used_.load(std::memory_order_relaxed);
    do {
      if (bytes > max_bytes_ - used) {
        refusals_.fetch_add(1, std::memory_order_relaxed);
        return false;
      }
    } while (!used_.compare_exchange_weak(used, used + bytes, std::memory_order_relaxed));
    return true;
  }
  void credit(size_t bytes) noexcept { used_.fetch_sub(bytes, std::memory_order_relaxed); }

  size_t used() const { return used_.load(std::memory_order_relaxed); }
  size_t max_bytes() const { return max_bytes_; }
  // Charges refused so far (each one a block a pool could not make).
  uint64_t refusals() const { return refusals_.load(std::memory_order_relaxed); }

 private:
  const size_t max_bytes_;
  std::atomic<size_t> used_{0};
  std::atomic<uint64_t> refusals_{0};
};

}  // namespace ttycall::core
