#include "memory_report_parser.h"

#include <regex>

namespace ttycall::itest {
namespace {

constexpr std::string_view kBegin = "=== Memory Report ===";
constexpr std::string_view kEnd = "=== End of Memory Report ===";

const std::string kBytes = R"(([0-9]+(?:\.[0-9]+)? (?:B|KiB|MiB|GiB|TiB)))";

}  // namespace

const SiteLine* MemoryReport::site(std::string_view name) const {
  for (const SiteLine& s : sites) {
    if (s.name == name) return &s;
  }
  return nullptr;
}

const PoolLine* MemoryReport::pool(std::string_view name) const {
  for (const PoolLine& p : pools) {
    if (p.name == name) return &p;
  }
  return nullptr;
}

const RoomLine* MemoryReport::room(std::string_view name) const {
  for (const RoomLine& r : rooms) {
    if (r.name == name) return &r;
  }
  return nullptr;
}

double parse_human_bytes(std::string_view text) {
  static const std::regex kHuman(R"(^([0-9]+(?:\.[0-9]+)?) (B|KiB|MiB|GiB|TiB)$)");
  std::match_results<std::string_view::const_iterator> m;
  if (!std::regex_match(text.begin(), text.end(), m, kHuman)) return -1;
  double value = std::stod(m[1].str());
  const std::string unit = m[2].str();
  for (const char* u : {"KiB", "MiB", "GiB", "TiB"}) {
    value *= 1024.0;
    if (unit == u) return value;
  }
  return std::stod(m[1].str());  // "B"
}

std::vector<std::vector<std::string>> memory_report_blocks(std::string_view text) {
  std::vector<std::vector<std::string>> blocks;
  bool inside = false;
  size_t start = 0;
  while (start < text.size()) {
    size_t end = text.find('\n', start);
    if (end == std::string_view::npos) end = text.size();
    const std::string_view line = text.substr(start, end - start);
    start = end + 1;
    if (!inside && line == kBegin) {
      blocks.emplace_back();
      inside = true;
    }
    if (inside) {
      blocks.back().emplace_back(line);
      if (line == kEnd) inside = false;
    }
  }
  return blocks;
}

MemoryReport parse_memory_report(const std::vector<std::string>& block) {
  static const std::regex kUptime(R"(^Uptime: ([0-9.]+) s \(warm-up ([0-9.]+) s\)$)");
  static const std::regex kTotalAllocated("^Total allocated: " + kBytes +
                                          R"( \([0-9]+ allocations\)$)");
  static const std::regex kTotalFreed("^Total freed: " + kBytes + R"( \([0-9]+ frees\)$)");
  static const std::regex kCurrent("^Current usage: " + kBytes +
                                   R"( \(([0-9]+) live allocations\)$)");
  static const std::regex kPeak("^Peak usage: " + kBytes + "$");
  // "Churn: N allocations/s, X/s (last N s)"; the parenthesis may instead say why there is
  // no window yet.
  static const std::regex kChurn("^Churn: (?:[0-9]+ allocations/s, " + kBytes +
                                 R"(/s \([^)]+\)|not measured yet.*)$)");
  static const std::regex kPools("^Pools:( none)?$");
  static const std::regex kPool(
      R"(^  (\S+) +)" + kBytes +
      R"(  in use +([0-9]+) / ([0-9]+) +\(max ([0-9]+)\), misses ([0-9]+)$)");
  static const std::regex kSites("^Live allocations by site:$");
  static const std::regex kSite(R"(^ +([0-9]+) x +)" + kBytes + " = +" + kBytes +
                                R"(  (.+?)(?: \(src/[^ ]+:[0-9]+\))?(?: \(sizes averaged\))?$)");
  static const std::regex kNoSites("^  none$");
  // The server's own lines (server/room_memory_lines.cpp), between the sites and the verdict.
  static const std::regex kBudget("^Pool budget: " + kBytes + " of " + kBytes +
                                  R"( reserved, ([0-9]+) refused$)");
  static const std::regex kRooms("^Rooms: ([0-9]+)$");
  static const std::regex kRoom(R"(^  room (.+): ([0-9]+) members?, ([0-9]+) views?, )" + kBytes +
                                " reserved$");
  static const std::regex kVerdict(
      "^Verdict: (stable|growing|churning|warming-up) \xE2\x80\x94 (.+)$");

  MemoryReport r;
  r.lines = block;
  auto problem = [&r](size_t i, const std::string& what) {
    r.problems.push_back("line " + std::to_string(i + 1) + " (" +
                         (i < r.lines.size() ? "\"" + r.lines[i] + "\"" : "end of text") +
                         "): " + what);
  };

  // The verdict closes the site lines, or the server's room lines after them.
  auto is_verdict = [&r](const std::string& line) {
    std::smatch v;
    if (!std::regex_match(line, v, kVerdict)) return false;
    r.verdict = v[1].str();
    r.verdict_reason = v[2].str();
    return true;
  };

  // The fixed lines in their order; pool and site lines in between are handled below.
  enum Step {
    kBeginLine,
    kUptimeLine,
    kAllocLine,
    kFreedLine,
    kCurrentLine,
    kPeakLine,
    kChurnLine,
    kPoolsLine,
    kPoolLines,
    kSiteLines,
    kRoomLines,
    kVerdictLine,
    kEndLine,
    kDone
  };
  Step step = kBeginLine;
  std::smatch m;
  size_t i = 0;
  for (; i < block.size() && step != kDone; ++i) {
    const std::string& line = block[i];
    switch (step) {
      case kBeginLine:
        if (line != kBegin) problem(i, "expected the report's first line");
        step = kUptimeLine;
        break;
      case kUptimeLine:
        if (std::regex_match(line, m, kUptime)) {
          r.uptime_s = std::stod(m[1].str());
          r.warmup_s = std::stod(m[2].str());
          step = kAllocLine;
          break;
        }
        [[fallthrough]];  // the uptime line is optional
      case kAllocLine:
        if (!std::regex_match(line, kTotalAllocated)) problem(i, "expected \"Total allocated:\"");
        step = kFreedLine;
        break;
      case kFreedLine:
        if (!std::regex_match(line, kTotalFreed)) problem(i, "expected \"Total freed:\"");
        step = kCurrentLine;
        break;
      case kCurrentLine:
        if (std::regex_match(line, m, kCurrent)) {
          r.current_bytes = parse_human_bytes(m[1].str());
          r.live_allocations = std::stoll(m[2].str());
        } else {
          problem(i, "expected \"Current usage:\"");
        }
        step = kPeakLine;
        break;
      case kPeakLine:
        if (!std::regex_match(line, kPeak)) problem(i, "expected \"Peak usage:\"");
        step = kChurnLine;
        break;
      case kChurnLine:
        if (!std::regex_match(line, kChurn)) problem(i, "expected \"Churn:\"");
        step = kPoolsLine;
        break;
      case kPoolsLine:
        if (!std::regex_match(line, kPools)) problem(i, "expected \"Pools:\"");
        step = kPoolLines;
        break;
      case kPoolLines:
        if (std::regex_match(line, m, kPool)) {
          PoolLine p;
          p.name = m[1].str();
          p.buffer_bytes = parse_human_bytes(m[2].str());
          p.in_use = std::stoll(m[3].str());
          p.allocated = std::stoll(m[4].str());
          p.max = std::stoll(m[5].str());
          p.misses = std::stoll(m[6].str());
          r.pools.push_back(p);
        } else if (std::regex_match(line, kSites)) {
          step = kSiteLines;
        } else {
          problem(i, "expected a pool line or \"Live allocations by site:\"");
        }
        break;
      case kSiteLines:
        if (std::regex_match(line, m, kSite)) {
          SiteLine s;
          s.live_count = std::stoll(m[1].str());
          s.live_bytes = parse_human_bytes(m[3].str());
          s.name = m[4].str();
          r.sites.push_back(s);
        } else if (std::regex_match(line, kNoSites)) {
          // "  none"
        } else if (std::regex_match(line, m, kBudget)) {
          r.budget_used_bytes = parse_human_bytes(m[1].str());
          r.budget_max_bytes = parse_human_bytes(m[2].str());
          r.budget_refusals = std::stoll(m[3].str());
        } else if (std::regex_match(line, m, kRooms)) {
          r.room_count = std::stoll(m[1].str());
          step = kRoomLines;
        } else if (is_verdict(line)) {
          step = kEndLine;
        } else {
          problem(i, "expected a site line, \"Pool budget:\", \"Rooms:\" or \"Verdict:\"");
        }
        break;
      case kRoomLines:
        if (std::regex_match(line, m, kRoom)) {
          RoomLine room;
          room.name = m[1].str();
          room.members = std::stoll(m[2].str());
          room.views = std::stoll(m[3].str());
          room.reserved_bytes = parse_human_bytes(m[4].str());
          r.rooms.push_back(room);
        } else if (is_verdict(line)) {
          step = kEndLine;
        } else {
          problem(i, "expected a room line or \"Verdict:\"");
        }
        break;
      case kVerdictLine:
        break;
      case kEndLine:
        if (line != kEnd) problem(i, "expected the report's end line");
        step = kDone;
        break;
      case kDone:
        break;
    }
  }
  if (step != kDone) problem(block.size(), "the report ends before its end line");
  if (i < block.size()) problem(i, "lines after the end line");
  return r;
}

std::vector<MemoryReport> memory_reports_in(std::string_view text) {
  std::vector<MemoryReport> reports;
  for (const auto& block : memory_report_blocks(text)) {
    reports.push_back(parse_memory_report(block));
  }
  return reports;
}

std::string joined_lines(const std::vector<std::string>& lines) {
  std::string out;
  for (const std::string& line : lines) out += line + "\n";
  return out;
}

}  // namespace ttycall::itest
