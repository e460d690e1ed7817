// Specification of the Memory Report (src/core/memory_report.h): the verdict rules, the
// report's shape, and that neither sampling nor reporting allocates.
//
// Time is injected: the monitor is built with a synthetic start and every sample()/report()
// gets a synthetic time, so "one second" is exact and nothing depends on the wall clock.
// The heap counters are process-global and gtest allocates too, so between two samples a
// test does exactly what the scenario says (nothing, or a known allocation) and asserts only
// after the last sample.
#include "core/memory_report.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <array>
#include <chrono>
#include <cstdint>
#include <cstring>
#include <memory>
#include <ostream>
#include <string>
#include <string_view>
#include <vector>

#include "core/alloc_accounting.h"
#include "core/buffer_pool.h"

namespace ttycall::core {

// Readable verdicts in failure messages (found by argument-dependent lookup).
[[maybe_unused]] static void PrintTo(Verdict verdict, std::ostream* out) {
  *out << to_string(verdict);
}

namespace {

namespace acct = alloc_accounting;

const SteadyClock::time_point kStart{std::chrono::hours(1)};

SteadyClock::time_point at(double seconds) {
  return kStart +
         std::chrono::duration_cast<SteadyClock::duration>(std::chrono::duration<double>(seconds));
}

void escape(const void* p) {
  asm volatile("" : : "g"(p) : "memory");
}

// One short-lived heap object: exactly two allocations (the vector and its 16 ints).
void churn_once() {
  auto* v = new std::vector<int>(16);
  escape(v->data());
  delete v;
}

// Large enough to count as growth whatever the process already holds:
// above both 64 KiB and 1% of current usage.
int64_t growth_step() {
  return std::max<int64_t>(256 * 1024, acct::totals().current_bytes / 20);
}

std::unique_ptr<char[]> hold(int64_t bytes) {
  auto block = std::make_unique<char[]>(size_t(bytes));  // zeroed: the pages are touched
  escape(block.get());
  return block;
}

// A copy of a short text that does not allocate (safe to take between two samples).
struct FixedText {
  explicit FixedText(std::string_view text) : size(std::min(text.size(), bytes.size())) {
    std::memcpy(bytes.data(), text.data(), size);
  }
  std::string_view view() const { return {bytes.data(), size}; }
  std::array<char, 256> bytes{};
  size_t size;
};

bool contains(std::string_view text, std::string_view part) {
  return text.find(part) != std::string_view::npos;
}

// The monitor is ~70 KiB (fixed ring and text buffers): keep it off the stack.
std::unique_ptr<MemoryMonitor> make_monitor(double warmup_seconds) {
  return std::make_unique<MemoryMonitor>(warmup_seconds, kStart);
}

// ---- verdicts ----

TEST(CoreMemoryReport, BeforeWarmUpTheVerdictIsWarmingUp) {
  auto m = make_monitor(5.0);
  const Verdict at_start = m->verdict();
  m->sample(at(1));
  churn_once();  // even heavy allocation is not judged during warm-up
  m->sample(at(2));
  churn_once();
  m->sample(at(3));
  churn_once();
  m->sample(at(4.9));

  EXPECT_EQ(at_start, Verdict::kWarmingUp);
  EXPECT_EQ(m->verdict(), Verdict::kWarmingUp);
  EXPECT_FALSE(m->warmed_up());
  EXPECT_EQ(m->steady_allocs_per_s(), 0.0);
  EXPECT_EQ(m->steady_bytes_per_s(), 0.0);
  const std::string reason(m->verdict_reason());
  EXPECT_TRUE(contains(reason, "warm-up")) << reason;
  EXPECT_TRUE(contains(reason, "4.9 s of 5.0 s")) << reason;
}

TEST(CoreMemoryReport, WarmUpEndsAtTheFirstSampleAtOrAfterTheWarmUpTime) {
  auto m = make_monitor(5.0);
  m->sample(at(4.99));
  const bool before = m->warmed_up();
  m->sample(at(5.0));
  EXPECT_FALSE(before);
  EXPECT_TRUE(m->warmed_up());
  EXPECT_NE(m->verdict(), Verdict::kWarmingUp);
}

TEST(CoreMemoryReport, NoAllocationBetweenSamplesIsStable) {
  auto m = make_monitor(2.0);
  for (int s = 1; s <= 14; ++s) m->sample(at(s));

  EXPECT_TRUE(m->warmed_up());
  EXPECT_EQ(m->verdict(), Verdict::kStable);
  EXPECT_EQ(m->steady_allocs_per_s(), 0.0);
  EXPECT_EQ(m->steady_bytes_per_s(), 0.0);
  const std::string reason(m->verdict_reason());
  EXPECT_TRUE(contains(reason, "no heap allocation in the last 10 s")) << reason;
}

TEST(CoreMemoryReport, AllocatingEverySecondIsChurning) {
  auto m = make_monitor(2.0);
  m->sample(at(1));
  m->sample(at(2));
  for (int s = 3; s <= 14; ++s) {
    churn_once();
    m->sample(at(s));
  }

  EXPECT_EQ(m->verdict(), Verdict::kChurning);
  // From the warm sample (t=2) to t=14: 12 s, 2 allocations of 24 + 64 bytes each second.
  EXPECT_DOUBLE_EQ(m->steady_allocs_per_s(), 2.0);
  EXPECT_DOUBLE_EQ(m->steady_bytes_per_s(), double(sizeof(std::vector<int>) + 16 * sizeof(int)));
  const std::string reason(m->verdict_reason());
  EXPECT_TRUE(contains(reason, "2 heap allocations/s")) << reason;
  EXPECT_TRUE(contains(reason, "over the last 10 s")) << reason;
}

TEST(CoreMemoryReport, ChurnMeansAllocationsInThreeOfTheLastTenSeconds) {
  auto m = make_monitor(2.0);
  for (int s = 1; s <= 12; ++s) m->sample(at(s));  // a full quiet window after warm-up

  churn_once();
  m->sample(at(13));
  churn_once();
  m->sample(at(14));
  const Verdict two_seconds = m->verdict();
  const FixedText two_reason(m->verdict_reason());
  m->sample(at(15));
  const Verdict still_two = m->verdict();
  churn_once();
  m->sample(at(16));
  const Verdict three_seconds = m->verdict();

  EXPECT_EQ(two_seconds, Verdict::kStable) << "two allocating seconds are one-offs";
  EXPECT_TRUE(contains(two_reason.view(), "4 one-off heap allocation(s) in the last 10 s"))
      << two_reason.view();
  EXPECT_EQ(still_two, Verdict::kStable);
  EXPECT_EQ(three_seconds, Verdict::kChurning);
}

TEST(CoreMemoryReport, ChurnIsJudgedOnTheRecentWindowOnly) {
  auto m = make_monitor(2.0);
  for (int s = 1; s <= 12; ++s) m->sample(at(s));
  for (int s = 13; s <= 16; ++s) {
    churn_once();
    m->sample(at(s));
  }
  const Verdict while_churning = m->verdict();
  for (int s = 17; s <= 23; ++s) m->sample(at(s));  // window 14..23 holds 3 allocating steps
  const Verdict three_left = m->verdict();
  m->sample(at(24));  // window 15..24: two left
  const Verdict two_left = m->verdict();
  for (int s = 25; s <= 26; ++s) m->sample(at(s));
  const Verdict none_left = m->verdict();
  const std::string reason(m->verdict_reason());

  EXPECT_EQ(while_churning, Verdict::kChurning);
  EXPECT_EQ(three_left, Verdict::kChurning);
  EXPECT_EQ(two_left, Verdict::kStable);
  EXPECT_EQ(none_left, Verdict::kStable);
  EXPECT_TRUE(contains(reason, "no heap allocation")) << reason;
}

TEST(CoreMemoryReport, FreeingWithoutAllocatingIsNotChurn) {
  auto m = make_monitor(2.0);
  std::array<std::unique_ptr<char[]>, 12> blocks;
  for (auto& b : blocks) b = hold(1024);
  for (int s = 1; s <= 12; ++s) m->sample(at(s));
  for (int s = 13; s <= 24; ++s) {
    blocks[size_t(s - 13)].reset();
    m->sample(at(s));
  }
  EXPECT_EQ(m->verdict(), Verdict::kStable);
}

TEST(CoreMemoryReport, UsageThatRoseInSeveralStepsAndStaysUpIsGrowing) {
  auto m = make_monitor(2.0);
  const int64_t step = growth_step();
  m->sample(at(1));
  m->sample(at(2));
  std::array<std::unique_ptr<char[]>, 3> leaked;
  for (int s = 3; s <= 5; ++s) {  // rises in three separate seconds ...
    leaked[size_t(s - 3)] = hold(step);
    m->sample(at(s));
  }
  for (int s = 6; s <= 14; ++s) m->sample(at(s));  // ... and never falls back

  EXPECT_EQ(m->verdict(), Verdict::kGrowing);
  const std::string reason(m->verdict_reason());
  EXPECT_TRUE(contains(reason, "current usage rose from")) << reason;
  EXPECT_TRUE(contains(reason, "over 12 s after warm-up")) << reason;
}

// Regression: one step up that then stays flat (a join, a pool reserve) is not a trend.
TEST(CoreMemoryReport, ASingleStepUpIsNotGrowing) {
  auto m = make_monitor(2.0);
  const int64_t step = growth_step();
  m->sample(at(1));
  m->sample(at(2));
  std::unique_ptr<char[]> held = hold(step);
  for (int s = 3; s <= 14; ++s) m->sample(at(s));
  EXPECT_EQ(m->verdict(), Verdict::kStable) << m->verdict_reason();
}

TEST(CoreMemoryReport, GrowthNeedsTenSamplesAfterWarmUp) {
  auto m = make_monitor(2.0);
  const int64_t step = growth_step();
  m->sample(at(1));
  m->sample(at(2));
  std::array<std::unique_ptr<char[]>, 3> leaked;
  for (int s = 3; s <= 5; ++s) {
    leaked[size_t(s - 3)] = hold(step);
    m->sample(at(s));
  }
  for (int s = 6; s <= 11; ++s) m->sample(at(s));  // 9 steps after the warm sample
  const Verdict after_nine = m->verdict();
  m->sample(at(12));  // the 10th
  const Verdict after_ten = m->verdict();

  // Before ten samples growth is not judged (three allocating seconds read as churn).
  EXPECT_NE(after_nine, Verdict::kGrowing);
  EXPECT_EQ(after_ten, Verdict::kGrowing);
}

TEST(CoreMemoryReport, GrowthThatFallsBackIsStable) {
  auto m = make_monitor(2.0);
  const int64_t step = growth_step();
  m->sample(at(1));
  m->sample(at(2));
  std::array<std::unique_ptr<char[]>, 3> held;
  for (int s = 3; s <= 5; ++s) {
    held[size_t(s - 3)] = hold(step);
    m->sample(at(s));
  }
  for (int s = 6; s <= 13; ++s) m->sample(at(s));
  const Verdict while_held = m->verdict();
  for (auto& h : held) h.reset();  // back to where the window started
  m->sample(at(14));

  EXPECT_EQ(while_held, Verdict::kGrowing);
  EXPECT_EQ(m->verdict(), Verdict::kStable);
}

TEST(CoreMemoryReport, UsageThatDippedBackToTheWindowStartIsNotGrowing) {
  auto m = make_monitor(2.0);
  const int64_t step = growth_step();
  m->sample(at(1));
  m->sample(at(2));
  std::unique_ptr<char[]> first = hold(step);
  for (int s = 3; s <= 5; ++s) m->sample(at(s));
  first.reset();  // back to the level at the start of the window
  for (int s = 6; s <= 7; ++s) m->sample(at(s));
  std::unique_ptr<char[]> second = hold(2 * step);  // ends well above the start
  for (int s = 8; s <= 14; ++s) m->sample(at(s));

  EXPECT_EQ(m->verdict(), Verdict::kStable) << m->verdict_reason();
}

TEST(CoreMemoryReport, GrowthBelow64KiBIsStable) {
  auto m = make_monitor(2.0);
  m->sample(at(1));
  m->sample(at(2));
  std::unique_ptr<char[]> small = hold(32 * 1024);
  for (int s = 3; s <= 14; ++s) m->sample(at(s));
  EXPECT_EQ(m->verdict(), Verdict::kStable);
}

// A leak that allocates every second is at least never called stable.
TEST(CoreMemoryReport, ASteadyLeakIsNotStable) {
  auto m = make_monitor(2.0);
  const int64_t step = growth_step();
  std::array<std::unique_ptr<char[]>, 12> leaked;
  m->sample(at(1));
  m->sample(at(2));
  for (int s = 3; s <= 14; ++s) {
    leaked[size_t(s - 3)] = hold(step);
    m->sample(at(s));
  }
  EXPECT_NE(m->verdict(), Verdict::kStable);
  EXPECT_NE(m->verdict(), Verdict::kWarmingUp);
}

// Regression: a leak allocates every second, so growth must be judged before churn -- a
// steady leak (usage up by far more than max(64 KiB, 1%) over 12 s, never falling back)
// is "growing", not "churning".
TEST(CoreMemoryReport, ASteadyLeakIsGrowing) {
  auto m = make_monitor(2.0);
  const int64_t step = growth_step();
  std::array<std::unique_ptr<char[]>, 12> leaked;
  m->sample(at(1));
  m->sample(at(2));
  for (int s = 3; s <= 14; ++s) {
    leaked[size_t(s - 3)] = hold(step);  // > 64 KiB per sample, never freed
    m->sample(at(s));
  }
  const Verdict v = m->verdict();
  EXPECT_EQ(v, Verdict::kGrowing) << "got " << to_string(v) << ": " << m->verdict_reason();
}

// Regression: one allocating second right after warm-up (a join) is a one-off, not churn:
// the rule is "allocations in 3 or more of the last 10 one-second steps".
TEST(CoreMemoryReport, AOneOffRightAfterWarmUpIsNotChurn) {
  auto m = make_monitor(2.0);
  m->sample(at(1));
  m->sample(at(2));  // warm
  churn_once();      // a single one-off
  m->sample(at(3));
  const Verdict v = m->verdict();
  EXPECT_EQ(v, Verdict::kStable) << "got " << to_string(v) << ": " << m->verdict_reason();
}

TEST(CoreMemoryReport, VerdictNames) {
  EXPECT_EQ(to_string(Verdict::kWarmingUp), "warming-up");
  EXPECT_EQ(to_string(Verdict::kStable), "stable");
  EXPECT_EQ(to_string(Verdict::kGrowing), "growing");
  EXPECT_EQ(to_string(Verdict::kChurning), "churning");
}

// ---- the report ----

TEST(CoreMemoryReport, ReportHasEveryRequiredLineInOrder) {
  auto m = make_monitor(1.0);
  for (int s = 1; s <= 3; ++s) m->sample(at(s));
  const std::string text(m->report(nullptr, at(4)));

  static constexpr std::string_view kLines[] = {"=== Memory Report ===\n",
                                                "\nTotal allocated: ",
                                                "\nTotal freed: ",
                                                "\nCurrent usage: ",
                                                "\nPeak usage: ",
                                                "\nChurn: ",
                                                "\nPools:",
                                                "\nLive allocations by site:\n",
                                                "\nVerdict: ",
                                                "\n=== End of Memory Report ===\n"};
  size_t from = 0;
  for (std::string_view line : kLines) {
    const size_t pos = text.find(line, from);
    ASSERT_NE(pos, std::string::npos) << "missing or out of order: '" << line << "'\n" << text;
    from = pos + line.size();
  }
  EXPECT_TRUE(text.starts_with("=== Memory Report ===\n")) << text;
  EXPECT_TRUE(text.ends_with("=== End of Memory Report ===\n")) << text;
}

TEST(CoreMemoryReport, AQuietProcessReportsNoChurnAndAStableVerdict) {
  auto m = make_monitor(2.0);
  for (int s = 1; s <= 13; ++s) m->sample(at(s));
  const std::string text(m->report(nullptr, at(14)));

  EXPECT_TRUE(contains(text, "\nChurn: 0 allocations/s, 0 B/s (last 10 s)\n")) << text;
  EXPECT_TRUE(contains(text, "\nVerdict: stable — no heap allocation in the last 10 s")) << text;
  EXPECT_TRUE(contains(text, "\nUptime: 14.0 s (warm-up 2.0 s)\n")) << text;
}

TEST(CoreMemoryReport, TheVerdictLineMatchesVerdict) {
  auto m = make_monitor(2.0);
  m->sample(at(1));
  m->sample(at(2));
  for (int s = 3; s <= 13; ++s) {
    churn_once();
    m->sample(at(s));
  }
  churn_once();
  const std::string text(m->report(nullptr, at(14)));
  EXPECT_EQ(m->verdict(), Verdict::kChurning);
  EXPECT_TRUE(contains(text, "\nVerdict: churning — 2 heap allocations/s")) << text;
  EXPECT_TRUE(contains(text, "\nChurn: 2 allocations/s, 88 B/s (last 10 s)\n")) << text;
}

TEST(CoreMemoryReport, AChurningVerdictNamesTheSiteThatAllocatedMost) {
  static const AllocSite site("core-test.churner");
  auto m = make_monitor(2.0);
  m->sample(at(1));
  m->sample(at(2));
  for (int s = 3; s <= 13; ++s) {
    {
      ScopedAllocSite scope(site);
      for (int i = 0; i < 50; ++i) churn_once();
    }
    m->sample(at(s));
  }
  const std::string text(m->report(nullptr, at(14)));
  EXPECT_TRUE(contains(text, "; most at core-test.churner (")) << text;
}

TEST(CoreMemoryReport, ReportListsLivePoolsAndTheirSites) {
  BufferPool pool("core-test-report", 2048, 3, 3);
  std::array<PooledBuffer, 4> held;
  for (PooledBuffer& b : held) b = pool.acquire();  // three in use, one miss
  auto m = make_monitor(1.0);
  const std::string text(m->report(nullptr, at(2)));

  const size_t pools = text.find("\nPools:");
  const size_t sites = text.find("\nLive allocations by site:");
  const size_t verdict = text.find("\nVerdict:");
  ASSERT_NE(pools, std::string::npos);
  ASSERT_NE(sites, std::string::npos);
  ASSERT_NE(verdict, std::string::npos);

  const std::string pool_section = text.substr(pools, sites - pools);
  const size_t line_at = pool_section.find("core-test-report");
  ASSERT_NE(line_at, std::string::npos) << text;
  const std::string pool_line =
      pool_section.substr(line_at, pool_section.find('\n', line_at) - line_at);
  EXPECT_TRUE(contains(pool_line, "2.0 KiB")) << pool_line;
  EXPECT_TRUE(contains(pool_line, "in use    3 / 3")) << pool_line;
  EXPECT_TRUE(contains(pool_line, "(max 3), misses 1")) << pool_line;

  const std::string site_section = text.substr(sites, verdict - sites);
  const size_t site_at = site_section.find("pool:core-test-report");
  ASSERT_NE(site_at, std::string::npos) << text;
  const size_t site_line_start = site_section.rfind('\n', site_at) + 1;
  const std::string site_line = site_section.substr(site_line_start, site_at - site_line_start);
  EXPECT_TRUE(contains(site_line, "     3 x ")) << "grouped as count x size: " << site_line;
}

TEST(CoreMemoryReport, ADestroyedPoolLeavesTheReport) {
  auto m = make_monitor(1.0);
  { BufferPool pool("core-test-report-gone", 64, 1, 1); }
  const std::string text(m->report(nullptr, at(2)));
  EXPECT_FALSE(contains(text, "core-test-report-gone")) << text;
}

TEST(CoreMemoryReport, ReportingDoesNotAllocate) {
  BufferPool pool("core-test-report-noalloc", 64, 1, 1);  // a pool line to format too
  auto m = make_monitor(2.0);
  for (int s = 1; s <= 12; ++s) m->sample(at(s));

  const uint64_t before = acct::totals().allocs;
  const std::string_view first = m->report(nullptr, at(13));
  const std::string_view second = m->report(nullptr, at(14));
  const uint64_t after = acct::totals().allocs;

  EXPECT_EQ(after, before) << "report() must format into its own fixed buffer";
  EXPECT_FALSE(first.empty());
  EXPECT_TRUE(second.ends_with("=== End of Memory Report ===\n"));
}

TEST(CoreMemoryReport, SamplingAndJudgingDoNotAllocate) {
  auto m = make_monitor(2.0);
  const uint64_t before = acct::totals().allocs;
  for (int s = 1; s <= 40; ++s) m->sample(at(s));
  const Verdict v = m->verdict();
  const std::string_view reason = m->verdict_reason();
  const double rate = m->steady_allocs_per_s();
  const uint64_t after = acct::totals().allocs;

  EXPECT_EQ(after, before);
  EXPECT_EQ(v, Verdict::kStable);
  EXPECT_FALSE(reason.empty());
  EXPECT_EQ(rate, 0.0);
}

TEST(CoreMemoryReport, TheRingKeepsWorkingPastItsCapacity) {
  auto m = make_monitor(2.0);
  for (int s = 1; s <= 200; ++s) m->sample(at(s));  // more samples than the ring holds
  const Verdict quiet = m->verdict();
  for (int s = 201; s <= 205; ++s) {
    churn_once();
    m->sample(at(s));
  }
  EXPECT_EQ(quiet, Verdict::kStable);
  EXPECT_EQ(m->verdict(), Verdict::kChurning);
}

// ---- human_bytes ----

std::string format_bytes(double bytes) {
  char out[32];
  return std::string(human_bytes(bytes, out));
}

TEST(CoreMemoryReport, HumanBytesUsesBinaryUnits) {
  EXPECT_EQ(format_bytes(0), "0 B");
  EXPECT_EQ(format_bytes(1023), "1023 B");
  EXPECT_EQ(format_bytes(1024), "1.0 KiB");
  EXPECT_EQ(format_bytes(1536), "1.5 KiB");
  EXPECT_EQ(format_bytes(1.5 * 1024 * 1024), "1.5 MiB");
  EXPECT_EQ(format_bytes(12.0 * 1024 * 1024), "12.0 MiB");
  EXPECT_EQ(format_bytes(3.0 * 1024 * 1024 * 1024), "3.0 GiB");
  EXPECT_EQ(format_bytes(2.0 * 1024 * 1024 * 1024 * 1024), "2.0 TiB");
  EXPECT_EQ(format_bytes(-2048), "-2.0 KiB");
}

TEST(CoreMemoryReport, HumanBytesTruncatesToItsBuffer) {
  char out[4];
  std::memset(out, '#', sizeof(out));
  const std::string_view text = human_bytes(1.5 * 1024 * 1024, std::span<char>(out, 3));
  EXPECT_EQ(text, "1.5");
  EXPECT_EQ(out[3], '#') << "nothing written past the buffer";
}

}  // namespace
}  // namespace ttycall::core
