#include "core/memory_report.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <span>

#include "core/buffer_pool.h"
#include "core/fixed_writer.h"

namespace ttycall::core {
namespace {

constexpr int kChurnWindow = 10;   // samples (seconds) judged for churn
constexpr int kChurnSeconds = 3;   // seconds with allocations that make it churn
constexpr int kGrowthWindow = 30;  // samples judged for growth
constexpr int kGrowthMinSamples = 10;
constexpr double kMinStepSeconds = 0.5;
constexpr int kGrowthRisingSteps = 3;

}  // namespace

std::string_view to_string(Verdict verdict) {
  switch (verdict) {
    case Verdict::kWarmingUp:
      return "warming-up";
    case Verdict::kStable:
      return "stable";
    case Verdict::kGrowing:
      return "growing";
    case Verdict::kChurning:
      return "churning";
  }
  return "?";
}

std::string_view human_bytes(double bytes, std::span<char> out) {
  static constexpr const char* kUnits[] = {"B", "KiB", "MiB", "GiB", "TiB"};
  int unit = 0;
  double value = bytes;
  while (std::fabs(value) >= 1024.0 && unit < 4) {
    value /= 1024.0;
    ++unit;
  }
  fmt::format_to_n_result<char*> r =
      unit == 0 ? fmt::format_to_n(out.data(), out.size(), "{:.0f} B", value)
                : fmt::format_to_n(out.data(), out.size(), "{:.1f} {}", value, kUnits[unit]);
  return {out.data(), std::min(r.size, out.size())};
}

MemoryMonitor::MemoryMonitor(double warmup_seconds, SteadyClock::time_point start)
    : warmup_seconds_(warmup_seconds), start_(start) {
  sample(start);
}

void MemoryMonitor::sample(SteadyClock::time_point now) {
  Sample s;
  s.t = seconds_between(start_, now);
  s.heap = alloc_accounting::totals();
  // The windows count one-second steps: a sample taken right after another (a report
  // right after the timer's sample) refreshes the newest one instead of adding a step.
  if (count_ > 0 && s.t - back(0).t < kMinStepSeconds) {
    ring_[(count_ - 1) % kRing] = s;
  } else {
    ring_[count_ % kRing] = s;
    ++count_;
  }
  if (!have_warm_sample_ && s.t >= warmup_seconds_) {
    have_warm_sample_ = true;
    warm_sample_ = s;
    for (int i = 0; i < alloc_accounting::site_count(); ++i) {
      warm_site_allocs_[size_t(i)] = alloc_accounting::site(i).total_allocs;
    }
  }
}

const MemoryMonitor::Sample& MemoryMonitor::back(int age) const {
  return ring_[(count_ - 1 - age) % kRing];
}

bool MemoryMonitor::warmed_up() const {
  return have_warm_sample_;
}

int MemoryMonitor::samples_after_warmup() const {
  int n = 0;
  for (int age = 0; age < std::min(count_, kRing); ++age) {
    if (back(age).t < warmup_seconds_) break;
    ++n;
  }
  return n;
}

double MemoryMonitor::steady_allocs_per_s() const {
  if (!have_warm_sample_) return 0;
  const Sample& last = back(0);
  const double dt = last.t - warm_sample_.t;
  if (dt <= 0) return 0;
  return double(last.heap.allocs - warm_sample_.heap.allocs) / dt;
}

double MemoryMonitor::steady_bytes_per_s() const {
  if (!have_warm_sample_) return 0;
  const Sample& last = back(0);
  const double dt = last.t - warm_sample_.t;
  if (dt <= 0) return 0;
  return double(last.heap.bytes_allocated - warm_sample_.heap.bytes_allocated) / dt;
}

Verdict MemoryMonitor::verdict() const {
  if (!have_warm_sample_) return Verdict::kWarmingUp;
  const int warm = samples_after_warmup();
  // Growth first: a leak allocates every second too, and is better called what it is.
  const int growth_steps = std::min({warm - 1, kGrowthWindow, count_ - 1});
  if (growth_steps >= kGrowthMinSamples) {
    const int64_t first = back(growth_steps).heap.current_bytes;
    const int64_t last = back(0).heap.current_bytes;
    const int64_t threshold = std::max<int64_t>(64 * 1024, first / 100);
    bool fell_back = false;
    int rising_steps = 0;  // a single step up (a join, a pool reserve) is not a trend
    for (int age = 0; age < growth_steps; ++age) {
      if (back(age).heap.current_bytes <= first) fell_back = true;
      if (back(age).heap.current_bytes > back(age + 1).heap.current_bytes) ++rising_steps;
    }
    if (last - first > threshold && !fell_back && rising_steps >= kGrowthRisingSteps) {
      return Verdict::kGrowing;
    }
  }
  // Churn: allocations in several distinct one-second steps of the recent window.
  int seconds_with_allocs = 0;
  const int churn_steps = std::min({warm - 1, kChurnWindow, count_ - 1});
  for (int age = 0; age < churn_steps; ++age) {
    if (back(age).heap.allocs != back(age + 1).heap.allocs) ++seconds_with_allocs;
  }
  if (seconds_with_allocs >= kChurnSeconds) return Verdict::kChurning;
  return Verdict::kStable;
}

std::string_view MemoryMonitor::verdict_reason() {
  FixedWriter w(reason_);
  char a[32], b[32];
  const Sample& last = back(0);
  switch (verdict()) {
    case Verdict::kWarmingUp:
      w.add("{:.1f} s of {:.1f} s warm-up: buffers and pools are still being sized", last.t,
            warmup_seconds_);
      break;
    case Verdict::kChurning: {
      const int steps = std::min({samples_after_warmup() - 1, kChurnWindow, count_ - 1});
      const Sample& first = back(steps);
      const double dt = std::max(1e-9, last.t - first.t);
      w.add("{:.0f} heap allocations/s ({}/s) in steady state over the last {:.0f} s",
            double(last.heap.allocs - first.heap.allocs) / dt,
            human_bytes(double(last.heap.bytes_allocated - first.heap.bytes_allocated) / dt, a),
            dt);
      // Where to look first: the site that allocated most since warm-up.
      SiteTotals top;
      uint64_t top_allocs = 0;
      for (int i = 0; i < alloc_accounting::site_count(); ++i) {
        const SiteTotals site = alloc_accounting::site(i);
        const uint64_t since = site.total_allocs - warm_site_allocs_[size_t(i)];
        if (since > top_allocs) {
          top = site;
          top_allocs = since;
        }
      }
      if (top_allocs > 0) {
        w.add("; most at {} ({:.0f}/s since warm-up)", top.name,
              double(top_allocs) / std::max(1e-9, last.t - warm_sample_.t));
      }
      break;
    }
    case Verdict::kGrowing: {
      const int steps = std::min({samples_after_warmup() - 1, kGrowthWindow, count_ - 1});
      const Sample& first = back(steps);
      w.add("current usage rose from {} to {} over {:.0f} s after warm-up",
            human_bytes(double(first.heap.current_bytes), a),
            human_bytes(double(last.heap.current_bytes), b), last.t - first.t);
      break;
    }
    case Verdict::kStable: {
      const int steps = std::min({samples_after_warmup() - 1, kChurnWindow, count_ - 1});
      const uint64_t recent = steps > 0 ? last.heap.allocs - back(steps).heap.allocs : 0;
      if (recent == 0) {
        w.add("no heap allocation in the last {} s; usage flat at {}", steps,
              human_bytes(double(last.heap.current_bytes), a));
      } else {
        w.add(
            "{} one-off heap allocation(s) in the last {} s (a join or resize), no churn; "
            "usage {}",
            recent, steps, human_bytes(double(last.heap.current_bytes), a));
      }
      break;
    }
  }
  return w.text();
}

std::string_view MemoryMonitor::report(const ReportSection* owner_lines,
                                       SteadyClock::time_point now) {
  sample(now);
  FixedWriter w(text_);
  char a[32], b[32], c[32];
  const Sample& last = back(0);
  const HeapTotals& h = last.heap;

  w.add("=== Memory Report ===\n");
  w.add("Uptime: {:.1f} s (warm-up {:.1f} s)\n", last.t, warmup_seconds_);
  w.add("Total allocated: {} ({} allocations)\n", human_bytes(double(h.bytes_allocated), a),
        h.allocs);
  w.add("Total freed: {} ({} frees)\n", human_bytes(double(h.bytes_freed), a), h.frees);
  w.add("Current usage: {} ({} live allocations)\n", human_bytes(double(h.current_bytes), a),
        h.allocs - h.frees);
  w.add("Peak usage: {}\n", human_bytes(double(h.peak_bytes), a));

  const int window = std::min(kChurnWindow, count_ - 1);
  if (window > 0) {
    const Sample& first = back(window);
    const double dt = std::max(1e-9, last.t - first.t);
    w.add("Churn: {:.0f} allocations/s, {}/s (last {:.0f} s)\n",
          double(h.allocs - first.heap.allocs) / dt,
          human_bytes(double(h.bytes_allocated - first.heap.bytes_allocated) / dt, a), dt);
  } else {
    w.add("Churn: 0 allocations/s, 0 B/s (no earlier sample yet)\n");
  }

  std::array<PoolStats, pool_registry::kMaxPools> pools;
  const int pool_count = pool_registry::snapshot(pools);
  w.add("Pools:{}\n", pool_count == 0 ? " none" : "");
  for (int i = 0; i < pool_count; ++i) {
    const PoolStats& p = pools[i];
    w.add("  {:<22} {:>10}  in use {:>4} / {:<4} (max {}), misses {}\n", p.name,
          human_bytes(double(p.buffer_size), a), p.in_use, p.allocated, p.max_buffers, p.misses);
  }

  w.add("Live allocations by site:\n");
  const int sites = alloc_accounting::site_count();
  int shown = 0;
  for (int i = 0; i < sites; ++i) {
    const SiteTotals s = alloc_accounting::site(i);
    if (s.live_count <= 0) continue;
    ++shown;
    const double each = double(s.live_bytes) / double(s.live_count);
    w.add("  {:>6} x {:>10} = {:>10}  {}", s.live_count, human_bytes(each, a),
          human_bytes(double(s.live_bytes), b), s.name);
    if (s.line != 0) {
      std::string_view file = s.file;
      if (const auto pos = file.rfind("/src/"); pos != std::string_view::npos) {
        file = file.substr(pos + 1);
      }
      w.add(" ({}:{})", file, s.line);
    }
    w.add("{}\n", i == kUnattributedSite || i == kMallocSite ? " (sizes averaged)" : "");
  }
  if (shown == 0) w.add("  none\n");
  (void)c;
  if (owner_lines != nullptr) owner_lines->write(w);

  const Verdict v = verdict();
  w.add("Verdict: {} — {}\n", to_string(v), verdict_reason());
  w.add("=== End of Memory Report ===\n");
  return w.text();
}

}  // namespace ttycall::core
