#pragma once
// The Memory Report: answers "is the memory fine?" with a computed verdict.
//
// A MemoryMonitor samples the heap counters once a second (sample(), driven by a timer
// of its owner) into a fixed ring, and formats the report into its own fixed buffer, so
// neither sampling nor reporting allocates. See docs/MEMORY.md for the verdict rules:
//   warming-up  the process is younger than its warm-up period: no judgement yet
//   growing     current usage rose by more than max(64 KiB, 1%) over the last 30 s, in 3
//               or more separate steps (at least 10 s of samples after warm-up), never
//               falling back
//   churning    heap allocations happened in 3 or more of the last 10 one-second steps
//               (the reason names the site that allocated most since warm-up)
//   stable      otherwise
#include <array>
#include <cstdint>
#include <span>
#include <string_view>

#include "core/alloc_accounting.h"
#include "core/clock.h"

namespace ttycall::core {

class FixedWriter;

// Lines the report's owner adds before the verdict (the server: one per room). write()
// must not allocate; it runs on the thread that asks for the report.
class ReportSection {
 public:
  virtual void write(FixedWriter& out) const = 0;

 protected:
  ~ReportSection() = default;
};

enum class Verdict { kWarmingUp, kStable, kGrowing, kChurning };
std::string_view to_string(Verdict verdict);

// Formats a byte count as "512 B", "1.5 KiB", "12.0 MiB", "1.2 GiB" into `out`.
std::string_view human_bytes(double bytes, std::span<char> out);

class MemoryMonitor {
 public:
  explicit MemoryMonitor(double warmup_seconds, SteadyClock::time_point start = SteadyClock::now());

  // Records the counters now. Call about once a second.
  void sample(SteadyClock::time_point now = SteadyClock::now());

  Verdict verdict() const;
  // A few words on why (valid until the next call).
  std::string_view verdict_reason();

  // Heap allocations and bytes per second from the end of warm-up to the last sample
  // (0 before warm-up ends).
  double steady_allocs_per_s() const;
  double steady_bytes_per_s() const;
  bool warmed_up() const;

  // Samples, then formats the whole report, with `owner_lines` (if any) before the
  // verdict; the view is valid until the next call.
  std::string_view report(const ReportSection* owner_lines = nullptr,
                          SteadyClock::time_point now = SteadyClock::now());

 private:
  struct Sample {
    double t = 0;  // seconds since start
    HeapTotals heap;
  };
  static constexpr int kRing = 64;
  const Sample& back(int age) const;  // age 0 = newest
  int samples_after_warmup() const;

  double warmup_seconds_;
  SteadyClock::time_point start_;
  std::array<Sample, kRing> ring_{};
  int count_ = 0;  // total samples taken
  bool have_warm_sample_ = false;
  Sample warm_sample_{};  // first sample at or after the end of warm-up
  std::array<uint64_t, kMaxAllocSites> warm_site_allocs_{};  // each site's count then
  std::array<char, 256> reason_{};
  std::array<char, 64 * 1024> text_{};
};

}  // namespace ttycall::core
