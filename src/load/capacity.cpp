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

// One run of the search at `clients`; fails if it could not be made.
core::Result<CapacityTrial> run_trial(const BenchConfig& base, const CapacityCriteria& criteria,
                                      int clients, bool repeat) {
  BenchConfig config = base;
  config.clients = clients;
  config.progress = false;
  const auto start = core::SteadyClock::now();
  core::Result<BenchResult> ran = run_bench(config);
  if (!ran.is_ok()) return ran.status();
  const BenchResult& run = ran.value();
  CapacityTrial t;
  t.clients = clients;
  t.repeat = repeat;
  t.seconds = core::seconds_between(start, core::SteadyClock::now());
  t.summary = summarize(run);
  t.server_cpu_s_per_s = run.server.cpu_s_per_s;
  t.server_rss_peak_bytes = run.server.rss_peak_bytes;
  t.server_steady_allocs_per_s = run.server.steady_allocs_per_s;
  t.load_cpu_s_per_s = run.load_cpu_s_per_s;
  t.loadavg = run.loadavg_end;
  t.why = why_not_held(clients, run.clients_receiving, t.summary, criteria);
  t.held = t.why.empty();
  return t;
}

}  // namespace

std::string why_not_held(int clients, int clients_receiving, const BenchSummary& summary,
                         const CapacityCriteria& criteria) {
  std::string why;
  const auto add = [&why](const std::string& reason) { why += (why.empty() ? "" : "; ") + reason; };
  if (clients_receiving < clients) {
    add(fmt::format("{} of {} clients received frames", clients_receiving, clients));
  }
  if (summary.fps.median < criteria.min_median_fps) {
    add(fmt::format("median fps {:.1f} < {:g}", summary.fps.median, criteria.min_median_fps));
  }
  if (summary.latency_clients == 0) {
    add("no latency samples");
  } else if (summary.latency_p95_ms > criteria.max_p95_latency_ms) {
    add(fmt::format("p95 latency {:.1f} ms > {:g} ms", summary.latency_p95_ms,
                    criteria.max_p95_latency_ms));
  }
  return why;
}

CapacitySearch search_capacity(const CapacityCriteria& criteria, const CapacityTrialRunner& run) {
  // A failed run is run again before N counts as failed: the machine may be shared.
  const auto held_at = [&](int n) -> std::optional<bool> {
    const std::optional<bool> first = run(n, false);
    if (!first || *first || !criteria.repeat_failures) return first;
    return run(n, true);
  };
  // Doubling until a failure, then bisection between the last held and the first failed.
  int low = 0;                          // largest N known to hold
  int high = criteria.max_clients + 1;  // smallest N known to fail
  CapacitySearch search;
  for (int n = std::min(2, criteria.max_clients);; n = std::min(2 * n, criteria.max_clients)) {
    const std::optional<bool> held = held_at(n);
    if (!held) {
      search.finished = false;
      break;
    }
    if (!*held) {
      high = n;
      break;
    }
    low = n;
    if (n == criteria.max_clients) break;
  }
  while (search.finished && high - low > 1 && high <= criteria.max_clients) {
    const int mid = low + (high - low) / 2;
    const std::optional<bool> held = held_at(mid);
    if (!held) {
      search.finished = false;
    } else {
      (*held ? low : high) = mid;
    }
  }
  search.capacity = low;
  search.at_limit = low == criteria.max_clients;
  return search;
}

core::Result<CapacityResult> find_capacity(
    const BenchConfig& base, const CapacityCriteria& criteria,
    const std::function<void(const CapacityTrial&)>& on_trial) {
  CapacityResult result;
  core::Status failure;  // why a run could not be made
  const auto start = core::SteadyClock::now();
  const auto elapsed = [start] { return core::seconds_between(start, core::SteadyClock::now()); };
  double longest = base.warmup + base.duration + 5;  // a guess until a trial has run
  const auto run = [&](int clients, bool repeat) -> std::optional<bool> {
    if (elapsed() + longest > criteria.budget_seconds) {  // it would end past the budget
      result.budget_reached = true;
      return std::nullopt;
    }
    const core::Result<CapacityTrial> trial = run_trial(base, criteria, clients, repeat);
    if (!trial.is_ok()) {
      failure = trial.status();
      return std::nullopt;
    }
    const CapacityTrial& t = trial.value();
    longest = std::max(longest, t.seconds);
    result.trials.push_back(t);
    if (on_trial) on_trial(t);
    return t.held;
  };
  const CapacitySearch search = search_capacity(criteria, run);
  if (!search.finished && !result.budget_reached) return failure;
  result.capacity = search.capacity;
  result.at_limit = search.at_limit;
  result.seconds = elapsed();
  return result;
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
