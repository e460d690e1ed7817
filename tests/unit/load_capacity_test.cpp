// Specification of the capacity search's decisions (src/load/capacity.h): which N runs
// next, when a failure counts, and what makes a run hold. No server, no sockets: the runs
// are played by a fake that holds up to a given N.
#include "load/capacity.h"

#include <gtest/gtest.h>

#include <optional>
#include <set>
#include <vector>

namespace ttycall::load {
namespace {

struct TrialRun {
  int clients = 0;
  bool repeat = false;
  bool operator==(const TrialRun&) const = default;
};

// A machine that holds up to `capacity` clients; the runs listed in `noisy` fail once.
struct FakeMachine {
  int capacity = 0;
  std::set<int> noisy;
  std::optional<int> error_at;  // this N cannot be run at all
  std::vector<TrialRun> runs;

  CapacityTrialRunner runner() {
    return [this](int clients, bool repeat) -> std::optional<bool> {
      runs.push_back({clients, repeat});
      if (error_at == clients) return std::nullopt;
      if (!repeat && noisy.count(clients) > 0) return false;
      return clients <= capacity;
    };
  }
};

std::vector<int> clients_of(const std::vector<TrialRun>& runs) {
  std::vector<int> n;
  for (const TrialRun& r : runs) n.push_back(r.clients);
  return n;
}

TEST(CapacitySearch, DoublesUntilAFailureThenBisects) {
  FakeMachine machine{13};
  const CapacitySearch s = search_capacity(CapacityCriteria{}, machine.runner());
  EXPECT_EQ(s.capacity, 13);
  EXPECT_FALSE(s.at_limit);
  EXPECT_TRUE(s.finished);
  // 16 fails twice (first run and repeat), then 8..16 is bisected: 12 holds, 14 fails
  // twice, 13 holds.
  EXPECT_EQ(clients_of(machine.runs), (std::vector<int>{2, 4, 8, 16, 16, 12, 14, 14, 13}));
  EXPECT_EQ(machine.runs[4], (TrialRun{16, true}));
}

TEST(CapacitySearch, ARepeatThatHoldsRescuesANoisyRun) {
  FakeMachine machine{64, {8}};
  const CapacitySearch s = search_capacity(CapacityCriteria{}, machine.runner());
  EXPECT_EQ(s.capacity, 64);
  EXPECT_EQ(clients_of(machine.runs), (std::vector<int>{2, 4, 8, 8, 16, 32, 64}));
}

TEST(CapacitySearch, WithoutRepeatsOneFailureCounts) {
  FakeMachine machine{64, {8}};
  CapacityCriteria criteria;
  criteria.repeat_failures = false;
  const CapacitySearch s = search_capacity(criteria, machine.runner());
  EXPECT_EQ(s.capacity, 7);  // 8 "failed": bisection 4..8 finds 7
  EXPECT_EQ(clients_of(machine.runs), (std::vector<int>{2, 4, 8, 6, 7}));
}

TEST(CapacitySearch, EveryNHoldingStopsAtTheParticipantLimit) {
  FakeMachine machine{100};
  CapacityCriteria criteria;
  criteria.max_clients = 48;
  const CapacitySearch s = search_capacity(criteria, machine.runner());
  EXPECT_EQ(s.capacity, 48);
  EXPECT_TRUE(s.at_limit);
  EXPECT_EQ(clients_of(machine.runs), (std::vector<int>{2, 4, 8, 16, 32, 48}));
}

TEST(CapacitySearch, NothingHoldingGivesZero) {
  FakeMachine machine{0};
  const CapacitySearch s = search_capacity(CapacityCriteria{}, machine.runner());
  EXPECT_EQ(s.capacity, 0);
  EXPECT_TRUE(s.finished);
  EXPECT_EQ(clients_of(machine.runs), (std::vector<int>{2, 2, 1, 1}));
}

TEST(CapacitySearch, ARunThatCannotBeMadeEndsTheSearchWithWhatHeldSoFar) {
  FakeMachine machine{64};
  machine.error_at = 16;
  const CapacitySearch s = search_capacity(CapacityCriteria{}, machine.runner());
  EXPECT_FALSE(s.finished);
  EXPECT_EQ(s.capacity, 8);
  EXPECT_EQ(clients_of(machine.runs), (std::vector<int>{2, 4, 8, 16}));
}

BenchSummary summary_of(double median_fps, int latency_clients, double p95_ms) {
  BenchSummary s;
  s.fps.median = median_fps;
  s.latency_clients = latency_clients;
  s.latency_p95_ms = p95_ms;
  return s;
}

TEST(CapacityWhyNotHeld, EmptyWhenEveryCriterionIsMet) {
  EXPECT_EQ(why_not_held(8, 8, summary_of(29.0, 8, 66.0), CapacityCriteria{}), "");
}

TEST(CapacityWhyNotHeld, NamesEveryFailedCriterion) {
  EXPECT_EQ(why_not_held(8, 6, summary_of(20.5, 6, 80.25), CapacityCriteria{}),
            "6 of 8 clients received frames; median fps 20.5 < 29; p95 latency 80.2 ms > 66 ms");
}

TEST(CapacityWhyNotHeld, NoLatencySamplesIsAFailure) {
  EXPECT_EQ(why_not_held(4, 4, summary_of(30, 0, 0), CapacityCriteria{}), "no latency samples");
}

}  // namespace
}  // namespace ttycall::load
