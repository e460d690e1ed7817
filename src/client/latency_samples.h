#pragma once
// The newest latency samples, in a fixed ring (no allocation per sample), and their
// percentiles: a client's own figures (--stats-json, the stats box) and the load
// generator's per window are counted the same way.
#include <array>
#include <cstddef>
#include <cstdint>

namespace ttycall::client {

class LatencySamples {
 public:
  void add(double ms) {
    samples_[count_ % kMaxSamples] = static_cast<float>(ms);
    ++count_;
  }
  void clear() { count_ = 0; }
  // The newest sample, 0 when none yet.
  double last() const { return count_ > 0 ? samples_[(count_ - 1) % kMaxSamples] : 0.0; }
  // Percentile (0..100) of the samples held (the newest kMaxSamples), 0 when none.
  double percentile(double p) const;

 private:
  static constexpr size_t kMaxSamples = 1 << 16;
  std::array<float, kMaxSamples> samples_{};
  uint64_t count_ = 0;
};

}  // namespace ttycall::client
