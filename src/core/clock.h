#pragma once
// Time sources. Capture timestamps cross process boundaries, so they use the wall clock
// (CLOCK_REALTIME); intervals and pacing use the monotonic clock.
#include <chrono>
#include <cstdint>

namespace ttycall::core {

using SteadyClock = std::chrono::steady_clock;

inline uint64_t wall_clock_us() {
  return static_cast<uint64_t>(std::chrono::duration_cast<std::chrono::microseconds>(
                                   std::chrono::system_clock::now().time_since_epoch())
                                   .count());
}

// A duration of the steady clock from seconds given as a double (options, rates).
inline SteadyClock::duration to_duration(double seconds) {
  return std::chrono::duration_cast<SteadyClock::duration>(std::chrono::duration<double>(seconds));
}

inline double seconds_between(SteadyClock::time_point from, SteadyClock::time_point to) {
  return std::chrono::duration<double>(to - from).count();
}

}  // namespace ttycall::core
