#include "core/rate_limiter.h"

#include <gtest/gtest.h>

#include <chrono>

namespace ttycall::core {
namespace {

using namespace std::chrono_literals;

TEST(RateLimiter, LetsABurstThroughThenTheRate) {
  RateLimiter limiter(30, 3);
  const SteadyClock::time_point t0{};
  int allowed = 0;
  for (int i = 0; i < 10; ++i) allowed += limiter.allow(t0);
  EXPECT_EQ(allowed, 3) << "a burst, all at once";
  // About a second at 120 a second (four times the rate): the rate's 30, less a fraction.
  allowed = 0;
  for (int i = 1; i <= 120; ++i) allowed += limiter.allow(t0 + i * 8333us);
  EXPECT_GE(allowed, 29);
  EXPECT_LE(allowed, 30);
}

TEST(RateLimiter, AtTheRateEverythingPasses) {
  RateLimiter limiter(30, 3);
  const SteadyClock::time_point t0{};
  for (int i = 0; i < 300; ++i) EXPECT_TRUE(limiter.allow(t0 + i * 33334us)) << i;
}

TEST(RateLimiter, AQuietSpellRefillsOnlyUpToTheBurst) {
  RateLimiter limiter(10, 2);
  const SteadyClock::time_point t0{};
  EXPECT_TRUE(limiter.allow(t0));
  EXPECT_TRUE(limiter.allow(t0));
  EXPECT_FALSE(limiter.allow(t0));
  const auto later = t0 + 60s;
  EXPECT_TRUE(limiter.allow(later));
  EXPECT_TRUE(limiter.allow(later));
  EXPECT_FALSE(limiter.allow(later)) << "a minute of silence buys a burst, not 600 events";
}

// Events that cost their size (a camera frame its bytes): the rate is in bytes.
TEST(RateLimiter, CostlyEventsTakeTheirCostFromTheBucket) {
  RateLimiter limiter(1000, 1000);  // 1000 bytes a second, one burst of 1000
  const SteadyClock::time_point t0{};
  EXPECT_TRUE(limiter.allow(t0, 600));
  EXPECT_FALSE(limiter.allow(t0, 600)) << "only 400 left";
  EXPECT_TRUE(limiter.allow(t0, 400));
  EXPECT_FALSE(limiter.allow(t0 + 100ms, 200)) << "100 ms bought 100 bytes";
  EXPECT_TRUE(limiter.allow(t0 + 300ms, 200));
  EXPECT_FALSE(limiter.allow(t0 + 10s, 1001)) << "nothing larger than the burst ever passes";
}

}  // namespace
}  // namespace ttycall::core
