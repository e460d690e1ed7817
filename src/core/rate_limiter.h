#pragma once
// A token bucket: lets through `rate` events a second on average and up to `burst` at once
// after a quiet spell. An event may cost more than one token (a frame its bytes, say). The caller
// passes the time, so tests need no clock and a hot path reads the clock once for several limiters.
// Not thread-safe: one per session or thread.
#include <algorithm>

#include "core/clock.h"

namespace ttycall::core {

class RateLimiter {
 public:
  RateLimiter(double rate_per_second, double burst)
      : rate_(rate_per_second), burst_(burst), tokens_(burst) {}

  // True if one more event of `cost` tokens fits now (and counts it); false if it is over
  // the rate.
  bool allow(SteadyClock::time_point now, double cost = 1.0) {
    if (!would_allow(now, cost)) return false;
    tokens_ -= cost;
    return true;
  }
  // True if one more event of `cost` tokens would fit now; counts nothing.
  bool would_allow(SteadyClock::time_point now, double cost = 1.0) {
    if (started_ && now > last_) {
      tokens_ = std::min(burst_, tokens_ + rate_ * seconds_between(last_, now));
    }
    if (!started_ || now > last_) last_ = now;
    started_ = true;
    return tokens_ >= cost;
  }
  // True when the bucket is full again (a limiter nobody used for a while).
  bool rested(SteadyClock::time_point now) {
    would_allow(now);
    return tokens_ >= burst_;
  }

 private:
  double rate_;
  double burst_;
  double tokens_;
  SteadyClock::time_point last_{};
  bool started_ = false;
};

}  // namespace ttycall::core
