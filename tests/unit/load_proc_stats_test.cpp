// The machine's CPU time from /proc/stat, which the bench reads around its window to say how
// much of the machine others took.
#include <gtest/gtest.h>

#include <chrono>

#include "load/proc_stats.h"

namespace ttycall::load {
namespace {

TEST(ProcStats, TheMachinesBusyTimeHoldsThisProcesssOwn) {
  const std::optional<MachineCpu> before = machine_cpu_seconds();
  const std::optional<double> own_before = process_cpu_seconds(0);
  ASSERT_TRUE(before && own_before);
  // Spin until this process has used a few clock ticks of CPU (counted, not timed).
  volatile unsigned long sink = 0;
  std::optional<double> own_after = own_before;
  while (own_after && *own_after - *own_before < 0.2) {
    for (int i = 0; i < 1000000; ++i) sink = sink + i;
    own_after = process_cpu_seconds(0);
  }
  const std::optional<MachineCpu> after = machine_cpu_seconds();
  ASSERT_TRUE(after && own_after);
  // The machine's busy time includes ours (one tick of rounding on each side).
  EXPECT_GE(after->busy - before->busy, *own_after - *own_before - 0.03);
  EXPECT_GE(after->steal, before->steal);
  EXPECT_LE(after->steal, after->busy);
}

}  // namespace
}  // namespace ttycall::load
