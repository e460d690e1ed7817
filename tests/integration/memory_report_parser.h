#pragma once
// Reads the server's Memory Report (see src/core/memory_report.cpp) back into fields, and
// checks its grammar line by line, so a report that is cut, reordered or interleaved with
// log lines shows up as `problems`.
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace ttycall::itest {

struct PoolLine {
  std::string name;
  double buffer_bytes = 0;
  int64_t in_use = 0, allocated = 0, max = 0, misses = 0;
};

struct SiteLine {
  int64_t live_count = 0;
  double live_bytes = 0;  // as printed (rounded to 0.1 of its unit)
  std::string name;       // e.g. "heap (unattributed)", "pool:video.decoded"
};

struct RoomLine {
  std::string name;
  int64_t members = 0, views = 0;
  double reserved_bytes = 0;
};

struct MemoryReport {
  std::vector<std::string> lines;  // the block, from "=== Memory Report ===" to its end line
  double uptime_s = -1, warmup_s = -1;
  double current_bytes = -1;
  int64_t live_allocations = -1;
  std::vector<PoolLine> pools;
  std::vector<SiteLine> sites;
  // The server's lines; -1 where a report (a client's) has none.
  double budget_used_bytes = -1, budget_max_bytes = -1;
  int64_t budget_refusals = -1, room_count = -1;
  std::vector<RoomLine> rooms;
  std::string verdict;                // stable | growing | churning | warming-up
  std::string verdict_reason;         // the text after the dash
  std::vector<std::string> problems;  // grammar violations; empty for a good report

  const SiteLine* site(std::string_view name) const;
  const PoolLine* pool(std::string_view name) const;
  const RoomLine* room(std::string_view name) const;
};

// The report blocks in `text` (a stderr log or a --memory-report file), in order: each runs
// from a "=== Memory Report ===" line up to the next "=== End of Memory Report ===" line (or
// the end of the text, which parse_memory_report then reports as a problem).
std::vector<std::vector<std::string>> memory_report_blocks(std::string_view text);

MemoryReport parse_memory_report(const std::vector<std::string>& block);

// Every report in `text`, parsed, in order.
std::vector<MemoryReport> memory_reports_in(std::string_view text);

// A report's lines as one text, a line each (for a failure message).
std::string joined_lines(const std::vector<std::string>& lines);

// "512 B", "1.5 KiB", "12.0 MiB" -> bytes; -1 if it is not such a text.
double parse_human_bytes(std::string_view text);

}  // namespace ttycall::itest
