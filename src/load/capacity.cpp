#include "load/capacity.h"

#include <fmt/format.h>

#include <algorithm>

#include "core/clock.h"

namespace ttycall::load {
namespace {

template <class T>
nlohmann::ordered_json or_null(const std::optional<T>& value) {
  return value ? nlohmann::ordered_json(*value) : nlohmann::ordered_json(nullptr);
}

}  // namespace

bool find_capacity(const BenchConfig& base, const CapacityCriteria& criteria,
                   CapacityResult& result, std::string& error,
                   const std::function<void(const CapacityTrial&)>& on_trial) {
  result = {};
  const auto start = core::SteadyClock::now();
  const auto elapsed = [start] { return core::seconds_between(start, core::SteadyClock::now()); };
  double longest = base.warmup + base.duration + 5;  // a guess until a trial has run

  // Runs one trial; false on an error that ends the search, or when out of time.
  const auto run_once = [&](int n, bool repeat, bool& held) {
    if (elapsed() + longest > criteria.budget_seconds) {
      result.budget_reached = true;
      return false;
    }
    BenchConfig config = base;
    config.clients = n;
    config.progress = false;
    BenchResult run;
    const auto trial_start = core::SteadyClock::now();
    if (!run_bench(config, run, error)) return false;
    CapacityTrial t;
    t.clients = n;
    t.repeat = repeat;
    t.seconds = core::seconds_between(trial_start, core::SteadyClock::now());
    longest = std::max(longest, t.seconds);
    t.summary = summarize(run);
    t.server_cpu_s_per_s = run.server.cpu_s_per_s;
    t.server_rss_peak_bytes = run.server.rss_peak_bytes;
    t.server_steady_allocs_per_s = run.server.steady_allocs_per_s;
    t.load_cpu_s_per_s = run.load_cpu_s_per_s;
    t.loadavg = run.loadavg_end;
    std::vector<std::string> why;
    if (run.clients_receiving < n) {
      why.push_back(fmt::format("{} of {} clients received frames", run.clients_receiving, n));
    }
    if (t.summary.fps.median < criteria.min_median_fps) {
      why.push_back(
          fmt::format("median fps {:.1f} < {:g}", t.summary.fps.median, criteria.min_median_fps));
    }
    if (t.summary.latency_clients == 0) {
      why.push_back("no latency samples");
    } else if (t.summary.latency_p95_ms > criteria.max_p95_latency_ms) {
      why.push_back(fmt::format("p95 latency {:.1f} ms > {:g} ms", t.summary.latency_p95_ms,
                                criteria.max_p95_latency_ms));
    }
    for (const std::string& w : why) t.why += (t.why.empty() ? "" : "; ") + w;
    t.held = why.empty();
    held = t.held;
    result.trials.push_back(t);
    if (on_trial) on_trial(t);
    return true;
  };
  const auto trial = [&](int n, bool& held) {
    if (!run_once(n, false, held)) return false;
    return held || !criteria.repeat_failures || run_once(n, true, held);
  };

  // Doubling until a failure, then bisection between the last held and the first failed.
  int low = 0;                          // largest N known to hold
  int high = criteria.max_clients + 1;  // smallest N known to fail
  bool ok = true;
  for (int n = std::min(2, criteria.max_clients); ok; n = std::min(2 * n, criteria.max_clients)) {
    bool held = false;
    if (!(ok = trial(n, held))) break;
    if (!held) {
      high = n;
      break;
    }
    low = n;
    if (n == criteria.max_clients) break;
  }
  while (ok && high - low > 1 && high <= criteria.max_clients) {
    const int mid = low + (high - low) / 2;
    bool held = false;
    if (!(ok = trial(mid, held))) break;
    (held ? low : high) = mid;
  }
  result.capacity = low;
  result.at_limit = low == criteria.max_clients;
  result.seconds = elapsed();
  return ok || result.budget_reached;
}

std::string format_trial(const CapacityTrial& t) {
  return fmt::format(
      "  {:>4}  {:<5} {:>7.1f} {:>7.1f} {:>8.1f} {:>8.1f} {:>8} {:>8} {:>6}  {}\n", t.clients,
      t.held     ? "held"
      : t.repeat ? "FAIL"
                 : "fail",
      t.summary.fps.min, t.summary.fps.median, t.summary.latency_p50_ms, t.summary.latency_p95_ms,
      t.server_cpu_s_per_s ? fmt::format("{:.2f}", *t.server_cpu_s_per_s) : "n/a",
      t.load_cpu_s_per_s ? fmt::format("{:.2f}", *t.load_cpu_s_per_s) : "n/a",
      t.loadavg ? fmt::format("{:.1f}", *t.loadavg) : "n/a", t.why);
}

std::string format_capacity(const BenchConfig& base, const CapacityCriteria& criteria,
                            const CapacityResult& r) {
  std::string out =
      fmt::format("\ncapacity: {}{} clients at {} fps{}, {}/{}, {}\n", r.at_limit ? ">= " : "",
                  r.capacity, base.fps, base.audio ? " + voice" : "", media::to_string(base.render),
                  media::to_string(base.color), describe_sizes(base.sizes));
  out += fmt::format(
      "  (held = median fps >= {:g} and median p95 latency <= {:g} ms; a failed run is "
      "repeated once: fail, then FAIL if it fails again; {} runs of {:g} s after {:g} s "
      "warm-up, {:.0f} s in all{})\n",
      criteria.min_median_fps, criteria.max_p95_latency_ms, r.trials.size(), base.duration,
      base.warmup, r.seconds,
      r.budget_reached ? "; stopped by the time budget: a lower bound"
      : r.at_limit     ? "; the server's participant limit"
                       : "");
  return out;
}

nlohmann::ordered_json capacity_json(const BenchConfig& base, const CapacityCriteria& criteria,
                                     const CapacityResult& r) {
  using J = nlohmann::ordered_json;
  J sizes = J::array();
  for (const ViewSize& size : base.sizes) sizes.push_back(to_string(size));
  J trials = J::array();
  for (const CapacityTrial& t : r.trials) {
    trials.push_back({{"clients", t.clients},
                      {"held", t.held},
                      {"repeat", t.repeat},
                      {"why", t.why},
                      {"seconds", t.seconds},
                      {"fps_min", t.summary.fps.min},
                      {"fps_median", t.summary.fps.median},
                      {"latency_p50_ms", t.summary.latency_p50_ms},
                      {"latency_p95_ms", t.summary.latency_p95_ms},
                      {"latency_p99_ms", t.summary.latency_p99_ms},
                      {"downstream_bytes_per_s_median", t.summary.downstream_bytes_per_s.median},
                      {"upstream_bytes_per_s_median", t.summary.upstream_bytes_per_s.median},
                      {"server_cpu_s_per_s", or_null(t.server_cpu_s_per_s)},
                      {"server_rss_peak_bytes", or_null(t.server_rss_peak_bytes)},
                      {"server_heap_steady_allocs_per_s", or_null(t.server_steady_allocs_per_s)},
                      {"load_cpu_s_per_s", or_null(t.load_cpu_s_per_s)},
                      {"loadavg_1m", or_null(t.loadavg)}});
  }
  J j;
  j["schema"] = "ttycall-bench-capacity/1";
  j["config"] = {{"fps", base.fps},
                 {"duration_s", base.duration},
                 {"warmup_s", base.warmup},
                 {"render", media::to_string(base.render)},
                 {"color", media::to_string(base.color)},
                 {"sizes", sizes},
                 {"audio", base.audio},
                 {"load_threads", base.load_threads}};
  j["criteria"] = {{"min_median_fps", criteria.min_median_fps},
                   {"repeat_failures", criteria.repeat_failures},
                   {"max_p95_latency_ms", criteria.max_p95_latency_ms},
                   {"max_clients", criteria.max_clients},
                   {"budget_s", criteria.budget_seconds}};
  j["capacity_clients"] = r.capacity;
  j["at_limit"] = r.at_limit;
  j["budget_reached"] = r.budget_reached;
  j["seconds"] = r.seconds;
  j["trials"] = trials;
  return j;
}

}  // namespace ttycall::load
