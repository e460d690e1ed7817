#pragma once
// Turns one run's raw figures into what `ttycall bench` reports: a summary, a table for
// people (stdout) and a JSON document with stable keys (docs/BENCH_JSON.md).
//
// Latency is summarised per client first: each client's p50/p95/p99 over its own
// samples, then the median of those over clients (and the worst client beside it).
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "load/bench.h"

namespace ttycall::load {

struct Spread {
  int count = 0;
  double min = 0;
  double median = 0;
  double mean = 0;
  double max = 0;
  double total = 0;
};
Spread spread_of(std::vector<double> values);

struct SizeSummary {
  ViewSize size;
  int clients = 0;
  Spread fps;
  double latency_p95_ms = 0;  // median over the clients of this size
  Spread downstream_bytes_per_s;
  Spread terminal_bytes_per_s;
};

struct BenchSummary {
  Spread fps;                 // per-client received frames per second
  int latency_clients = 0;    // clients with latency samples (their own tile shown)
  double latency_p50_ms = 0;  // median over clients of each client's percentile
  double latency_p95_ms = 0;
  double latency_p99_ms = 0;
  double latency_worst_p95_ms = 0;  // the highest per-client value
  double latency_worst_p99_ms = 0;
  Spread downstream_bytes_per_s;   // per client, every packet received (header + payload)
  Spread terminal_bytes_per_s;     // per client, what drawing its frames writes to a terminal
  Spread upstream_bytes_per_s;     // per connection, bytes the server acknowledged
  std::vector<SizeSummary> sizes;  // each size in use, in the order of --size
};

BenchSummary summarize(const BenchResult& result);
std::string format_report(const BenchResult& result, const BenchSummary& summary);
nlohmann::ordered_json report_json(const BenchResult& result, const BenchSummary& summary);

// "160x48"
std::string to_string(const ViewSize& size);
// "size 160x48", "sizes 160x48,120x40", or past 8 "64 sizes 120x36,122x37,124x38,...,246x51".
std::string describe_sizes(const std::vector<ViewSize>& sizes);

}  // namespace ttycall::load
