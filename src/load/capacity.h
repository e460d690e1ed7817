#pragma once
// `ttycall bench --find-capacity`: the largest number of clients a server holds at full
// quality. Short runs (a fresh server each) at N = 2, 4, 8, 16, 32, 64 until one fails,
// then bisection between the last N that held and the first that failed. A run holds when
// the median client receives at least `min_median_fps` and the median of the clients' p95
// latency stays within `max_p95_latency_ms`. A failed run is repeated once and N fails only
// if the repeat fails too: the machine may be shared, and one noisy run must not halve the
// answer. Bounded by the server's 64 participants and by a time budget: a run that would
// end past it is not started.
#include <functional>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "core/status.h"
#include "load/bench.h"
#include "load/report.h"

namespace ttycall::load {

struct CapacityCriteria {
  double min_median_fps = 29;
  double max_p95_latency_ms = 66;
  int max_clients = 64;
  double budget_seconds = 285;  // the whole search
  bool repeat_failures = true;  // a failed run is run again before N counts as failed
};

struct CapacityTrial {
  int clients = 0;
  bool held = false;
  std::string why;      // what failed, empty when held
  bool repeat = false;  // the second run of an N whose first run failed
  double seconds = 0;
  BenchSummary summary;
  std::optional<double> server_cpu_s_per_s;
  std::optional<int64_t> server_rss_peak_bytes;
  std::optional<double> server_steady_allocs_per_s;
  std::optional<double> load_cpu_s_per_s;
  std::optional<double> loadavg;  // the machine's 1-minute load average at the window's end
};

struct CapacityResult {
  int capacity = 0;             // the largest N that held; 0 if none did
  bool at_limit = false;        // every N up to max_clients held
  bool budget_reached = false;  // the search stopped for time, the answer is a lower bound
  double seconds = 0;
  std::vector<CapacityTrial> trials;  // in the order they ran
};

// Why a run of `clients` clients did not hold, "" when it held: not every client received
// frames, the median fps is too low, no client has latency samples, or the median p95
// latency is too high (several reasons are joined with "; ").
std::string why_not_held(int clients, int clients_receiving, const BenchSummary& summary,
                         const CapacityCriteria& criteria);

// One run of N clients (`repeat`: the second run of an N whose first run failed): whether
// it held, or nullopt when the search must end (an error, or no time left).
using CapacityTrialRunner = std::function<std::optional<bool>(int clients, bool repeat)>;

struct CapacitySearch {
  int capacity = 0;       // the largest N that held
  bool at_limit = false;  // every N up to max_clients held
  bool finished = true;   // false: the runner ended the search
};

// The search's decisions alone: which N to run next, given what held (see the top).
CapacitySearch search_capacity(const CapacityCriteria& criteria, const CapacityTrialRunner& run);

// Runs the search; `base.clients` is ignored. `on_trial` sees each trial as it ends.
// Fails if a run could not be made (the server did not start, ...).
core::Result<CapacityResult> find_capacity(
    const BenchConfig& base, const CapacityCriteria& criteria,
    const std::function<void(const CapacityTrial&)>& on_trial = {});

std::string format_capacity(const BenchConfig& base, const CapacityCriteria& criteria,
                            const CapacityResult& result);
std::string format_trial(const CapacityTrial& trial);
nlohmann::ordered_json capacity_json(const BenchConfig& base, const CapacityCriteria& criteria,
                                     const CapacityResult& result);

}  // namespace ttycall::load
