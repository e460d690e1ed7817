#pragma once
// A single-producer, single-consumer ring of audio samples with a fixed capacity: the
// bridge between an audio device's real-time callback and the client's 20 ms timer.
// Lock-free and allocation-free after construction.
#include <algorithm>
#include <atomic>
#include <cstddef>
#include <span>
#include <vector>

namespace ttycall::client {

class SampleRing {
 public:
  explicit SampleRing(size_t capacity) : buffer_(capacity + 1) {}

  // Producer: appends what fits; returns how many samples were written.
  size_t push(std::span<const float> samples) {
    const size_t head = head_.load(std::memory_order_relaxed);
    const size_t tail = tail_.load(std::memory_order_acquire);
    const size_t n = std::min(samples.size(), free_space(head, tail));
    for (size_t i = 0; i < n; ++i) buffer_[(head + i) % buffer_.size()] = samples[i];
    head_.store((head + n) % buffer_.size(), std::memory_order_release);
    return n;
  }

  // Consumer: takes up to out.size() samples; returns how many were read.
  size_t pop(std::span<float> out) {
    const size_t tail = tail_.load(std::memory_order_relaxed);
    const size_t head = head_.load(std::memory_order_acquire);
    const size_t n = std::min(out.size(), used(head, tail));
    for (size_t i = 0; i < n; ++i) out[i] = buffer_[(tail + i) % buffer_.size()];
    tail_.store((tail + n) % buffer_.size(), std::memory_order_release);
    return n;
  }

  size_t available() const {
    return used(head_.load(std::memory_order_acquire), tail_.load(std::memory_order_acquire));
  }

 private:
  size_t used(size_t head, size_t tail) const {
    return (head + buffer_.size() - tail) % buffer_.size();
  }
  size_t free_space(size_t head, size_t tail) const {
    return buffer_.size() - 1 - used(head, tail);
  }

  std::vector<float> buffer_;
  std::atomic<size_t> head_{0};
  std::atomic<size_t> tail_{0};
};

}  // namespace ttycall::client
