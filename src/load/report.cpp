#include "load/report.h"

#include <fmt/format.h>

#include <algorithm>
#include <numeric>

namespace ttycall::load {
namespace {

double median_of(std::vector<double> values) {
  if (values.empty()) return 0;
  std::sort(values.begin(), values.end());
  const size_t n = values.size();
  return n % 2 ? values[n / 2] : (values[n / 2 - 1] + values[n / 2]) / 2;
}

double max_of(const std::vector<double>& values) {
  return values.empty() ? 0 : *std::max_element(values.begin(), values.end());
}

// Decimal units: 1 kB = 1000 bytes.
std::string rate(double bytes_per_s) {
  if (bytes_per_s >= 1e6) return fmt::format("{:.2f} MB/s", bytes_per_s / 1e6);
  if (bytes_per_s >= 1e3) return fmt::format("{:.1f} kB/s", bytes_per_s / 1e3);
  return fmt::format("{:.0f} B/s", bytes_per_s);
}

template <class T>
nlohmann::ordered_json or_null(const std::optional<T>& value) {
  return value ? nlohmann::ordered_json(*value) : nlohmann::ordered_json(nullptr);
}

nlohmann::ordered_json spread_json(const Spread& s) {
  return {{"min", s.min}, {"median", s.median}, {"mean", s.mean}, {"max", s.max}};
}

// Clients whose own tile never reached them have no latency samples (percentile 0).
bool has_latency(const ClientWindow& c) {
  return c.latency_p50_ms > 0;
}

nlohmann::ordered_json server_json(const ServerFigures& sv) {
  using J = nlohmann::ordered_json;
  return {{"spawned", sv.spawned},
          {"pid", sv.spawned ? J(sv.pid) : J(nullptr)},
          {"cpu_s_per_s", or_null(sv.cpu_s_per_s)},
          {"rss_peak_bytes", or_null(sv.rss_peak_bytes)},
          {"heap_steady_allocs_per_s", or_null(sv.steady_allocs_per_s)},
          {"heap_steady_bytes_per_s", or_null(sv.steady_bytes_per_s)},
          {"heap_window_allocs_per_s", or_null(sv.window_allocs_per_s)},
          {"heap_window_bytes_per_s", or_null(sv.window_bytes_per_s)},
          {"exit_status", or_null(sv.exit_status)},
          {"exit_note", sv.exit_note},
          {"stats", sv.stats.is_null() ? J(nullptr) : J::parse(sv.stats.dump())},
          {"stats_at_exit",
           sv.stats_at_exit.is_null() ? J(nullptr) : J::parse(sv.stats_at_exit.dump())}};
}

nlohmann::ordered_json clients_json(const std::vector<ClientWindow>& windows) {
  using J = nlohmann::ordered_json;
  J clients = J::array();
  for (const ClientWindow& w : windows) {
    clients.push_back({{"index", w.index},
                       {"size", to_string(w.size)},
                       {"fps", w.fps()},
                       {"frames", w.frames},
                       {"latency_p50_ms", w.latency_p50_ms},
                       {"latency_p95_ms", w.latency_p95_ms},
                       {"latency_p99_ms", w.latency_p99_ms},
                       {"downstream_bytes_per_s", w.downstream_bytes_per_s()},
                       {"video_bytes_per_s", w.video_bytes_per_s()},
                       {"terminal_bytes_per_s", w.terminal_bytes_per_s()},
                       {"ended", w.ended}});
  }
  return clients;
}

}  // namespace

std::string to_string(const ViewSize& size) {
  return fmt::format("{}x{}", size.cols, size.rows);
}

std::string describe_sizes(const std::vector<ViewSize>& sizes) {
  constexpr size_t kListed = 8;
  std::string text;
  for (size_t i = 0; i < sizes.size(); ++i) {
    if (sizes.size() > kListed && i == 3) {
      text += ",...";
      i = sizes.size() - 1;
    }
    text += (i == 0 ? "" : ",") + to_string(sizes[i]);
  }
  if (sizes.size() == 1) return "size " + text;
  if (sizes.size() <= kListed) return "sizes " + text;
  return fmt::format("{} sizes {}", sizes.size(), text);
}

Spread spread_of(std::vector<double> values) {
  Spread s;
  if (values.empty()) return s;
  std::sort(values.begin(), values.end());
  s.count = int(values.size());
  s.min = values.front();
  s.max = values.back();
  s.median = median_of(values);
  s.total = std::accumulate(values.begin(), values.end(), 0.0);
  s.mean = s.total / double(values.size());
  return s;
}

BenchSummary summarize(const BenchResult& result) {
  BenchSummary summary;
  std::vector<double> fps, down, terminal, p50, p95, p99;
  for (const ClientWindow& c : result.clients) {
    fps.push_back(c.fps());
    down.push_back(c.downstream_bytes_per_s());
    terminal.push_back(c.terminal_bytes_per_s());
    if (!has_latency(c)) continue;
    p50.push_back(c.latency_p50_ms);
    p95.push_back(c.latency_p95_ms);
    p99.push_back(c.latency_p99_ms);
  }
  summary.fps = spread_of(fps);
  summary.downstream_bytes_per_s = spread_of(down);
  summary.terminal_bytes_per_s = spread_of(terminal);
  summary.upstream_bytes_per_s = spread_of(result.upstream_bytes_per_s);
  summary.latency_clients = int(p50.size());
  summary.latency_p50_ms = median_of(p50);
  summary.latency_p95_ms = median_of(p95);
  summary.latency_p99_ms = median_of(p99);
  summary.latency_worst_p95_ms = max_of(p95);
  summary.latency_worst_p99_ms = max_of(p99);

  // Each size the clients used, once, in the order of --size.
  std::vector<ViewSize> used;
  for (const ClientWindow& c : result.clients) {
    const auto same = [&c](const ViewSize& v) {
      return v.cols == c.size.cols && v.rows == c.size.rows;
    };
    if (std::none_of(used.begin(), used.end(), same)) used.push_back(c.size);
  }
  for (const ViewSize& size : used) {
    SizeSummary s;
    s.size = size;
    std::vector<double> size_fps, size_down, size_terminal, size_p95;
    for (const ClientWindow& c : result.clients) {
      if (c.size.cols != size.cols || c.size.rows != size.rows) continue;
      size_fps.push_back(c.fps());
      size_down.push_back(c.downstream_bytes_per_s());
      size_terminal.push_back(c.terminal_bytes_per_s());
      if (has_latency(c)) size_p95.push_back(c.latency_p95_ms);
    }
    s.clients = int(size_fps.size());
    s.fps = spread_of(size_fps);
    s.downstream_bytes_per_s = spread_of(size_down);
    s.terminal_bytes_per_s = spread_of(size_terminal);
    s.latency_p95_ms = median_of(size_p95);
    summary.sizes.push_back(s);
  }
  return summary;
}

std::string format_report(const BenchResult& r, const BenchSummary& s) {
  const BenchConfig& c = r.config;
  std::string out = fmt::format(
      "ttycall bench: {} clients{}, {} fps{}, {}/{}, {}, video {}, warm-up {:g} s, window {:.1f} "
      "s\n",
      c.clients, c.rooms > 1 ? fmt::format(" in {} rooms", c.rooms) : "", c.fps,
      c.audio ? " + voice" : "", media::to_string(c.render), media::to_string(c.color),
      describe_sizes(c.sizes), c.video, c.warmup, r.window_s);
  out += r.server.spawned
             ? fmt::format("server 127.0.0.1:{} (spawned, pid {})\n", r.port, r.server.pid)
             : fmt::format("server {}:{} (given; its process is not measured)\n", r.host, r.port);
  if (r.clients_receiving < c.clients || r.clients_failed > 0) {
    out += fmt::format(
        "WARNING: {} of {} clients received frames before the warm-up; {} "
        "ended with an error\n",
        r.clients_receiving, c.clients, r.clients_failed);
  }
  out += "\n";
  const auto row = [&out](std::string_view label, const std::string& value) {
    out += fmt::format("  {:<28}{}\n", label, value);
  };
  row("received fps per client",
      fmt::format("min {:.1f}   median {:.1f}   max {:.1f}", s.fps.min, s.fps.median, s.fps.max));
  row("latency capture->arrival",
      fmt::format("p50 {:.1f} ms   p95 {:.1f} ms   p99 {:.1f} ms", s.latency_p50_ms,
                  s.latency_p95_ms, s.latency_p99_ms));
  row("", fmt::format("(median over {} clients of each one's percentiles; worst client p95 "
                      "{:.1f} ms, p99 {:.1f} ms)",
                      s.latency_clients, s.latency_worst_p95_ms, s.latency_worst_p99_ms));
  row("downstream per client",
      fmt::format("median {}   (min {}, max {}; all clients {})",
                  rate(s.downstream_bytes_per_s.median), rate(s.downstream_bytes_per_s.min),
                  rate(s.downstream_bytes_per_s.max), rate(s.downstream_bytes_per_s.total)));
  row("terminal writes per client",
      fmt::format("median {}   (min {}, max {}; what drawing the frames writes)",
                  rate(s.terminal_bytes_per_s.median), rate(s.terminal_bytes_per_s.min),
                  rate(s.terminal_bytes_per_s.max)));
  row("upstream per client",
      fmt::format("median {}   (min {}, max {}; all clients {})",
                  rate(s.upstream_bytes_per_s.median), rate(s.upstream_bytes_per_s.min),
                  rate(s.upstream_bytes_per_s.max), rate(s.upstream_bytes_per_s.total)));
  const ServerFigures& sv = r.server;
  const auto opt = [](const auto& value, auto&& format) -> std::string {
    return value ? format(*value) : std::string("n/a");
  };
  row("server CPU", opt(sv.cpu_s_per_s, [](double v) { return fmt::format("{:.2f} s/s", v); }));
  row("server peak RSS",
      opt(sv.rss_peak_bytes, [](int64_t v) { return fmt::format("{:.1f} MB", double(v) / 1e6); }));
  row("server heap, steady",
      opt(sv.steady_allocs_per_s, [](double v) { return fmt::format("{:.1f} allocs/s", v); }) +
          ", " + opt(sv.steady_bytes_per_s, [](double v) { return rate(v); }) + "   (window: " +
          opt(sv.window_allocs_per_s, [](double v) { return fmt::format("{:.1f} allocs/s", v); }) +
          ", " + opt(sv.window_bytes_per_s, [](double v) { return rate(v); }) + ")");
  row("load generator CPU", opt(r.load_cpu_s_per_s, [&c](double v) {
        return fmt::format("{:.2f} s/s (all {} clients, this process)", v, c.clients);
      }));
  row("machine",
      fmt::format("{} CPUs, load average {} at start, {} at the window's end", r.machine_cpus,
                  opt(r.loadavg_start, [](double v) { return fmt::format("{:.2f}", v); }),
                  opt(r.loadavg_end, [](double v) { return fmt::format("{:.2f}", v); })));
  row("others on the CPUs", opt(r.other_cpu_s_per_s, [&r, &opt](double v) {
        return fmt::format(
            "{:.2f} s/s besides the server and the load generator, {} steal", v,
            opt(r.steal_s_per_s, [](double s) { return fmt::format("{:.2f} s/s", s); }));
      }));
  if (sv.exit_status) {
    row("server exit", fmt::format("status {}{}{}", *sv.exit_status,
                                   sv.exit_note.empty() ? "" : ": ", sv.exit_note));
  }
  if (s.sizes.size() > 1) {
    out += fmt::format("\n  {:<10}{:>8}{:>9}{:>12}{:>9}{:>16}{:>16}\n", "size", "clients",
                       "fps min", "fps median", "p95 ms", "down/client", "terminal/client");
    for (const SizeSummary& z : s.sizes) {
      out +=
          fmt::format("  {:<10}{:>8}{:>9.1f}{:>12.1f}{:>9.1f}{:>16}{:>16}\n", to_string(z.size),
                      z.clients, z.fps.min, z.fps.median, z.latency_p95_ms,
                      rate(z.downstream_bytes_per_s.median), rate(z.terminal_bytes_per_s.median));
    }
  }
  return out;
}

nlohmann::ordered_json report_json(const BenchResult& r, const BenchSummary& s) {
  using J = nlohmann::ordered_json;
  const BenchConfig& c = r.config;
  J sizes = J::array();
  for (const ViewSize& size : c.sizes) sizes.push_back(to_string(size));
  J j;
  j["schema"] = "ttycall-bench/1";
  j["config"] = {{"clients", c.clients},
                 {"rooms", c.rooms},
                 {"fps", c.fps},
                 {"duration_s", c.duration},
                 {"warmup_s", c.warmup},
                 {"render", media::to_string(c.render)},
                 {"color", media::to_string(c.color)},
                 {"sizes", sizes},
                 {"video", c.video},
                 {"audio", c.audio},
                 {"host", r.host},
                 {"port", r.port},
                 {"server_spawned", r.server.spawned},
                 {"load_threads", c.load_threads},
                 {"receive_only", c.receive_only},
                 {"encode_each", c.encode_each}};
  j["window_s"] = r.window_s;
  j["clients_receiving"] = r.clients_receiving;
  j["clients_failed"] = r.clients_failed;
  j["fps"] = spread_json(s.fps);
  j["latency_ms"] = {{"method", "median_of_client_percentiles"},
                     {"clients", s.latency_clients},
                     {"p50", s.latency_p50_ms},
                     {"p95", s.latency_p95_ms},
                     {"p99", s.latency_p99_ms},
                     {"worst_client_p95", s.latency_worst_p95_ms},
                     {"worst_client_p99", s.latency_worst_p99_ms}};
  J down = spread_json(s.downstream_bytes_per_s);
  down["total"] = s.downstream_bytes_per_s.total;
  down["method"] = "client_packets";
  j["downstream_bytes_per_s"] = down;
  J up = spread_json(s.upstream_bytes_per_s);
  up["total"] = s.upstream_bytes_per_s.total;
  up["method"] = "tcp_info_bytes_acked";
  up["connections"] = s.upstream_bytes_per_s.count;
  j["upstream_bytes_per_s"] = up;
  J terminal = spread_json(s.terminal_bytes_per_s);
  terminal["method"] = "client_renderer";
  j["terminal_bytes_per_s"] = terminal;
  j["server"] = server_json(r.server);
  j["load_generator"] = {{"cpu_s_per_s", or_null(r.load_cpu_s_per_s)}};
  j["machine"] = {{"cpus", r.machine_cpus},
                  {"loadavg_1m_start", or_null(r.loadavg_start)},
                  {"loadavg_1m_end", or_null(r.loadavg_end)},
                  {"other_cpu_s_per_s", or_null(r.other_cpu_s_per_s)},
                  {"steal_s_per_s", or_null(r.steal_s_per_s)}};
  J by_size = J::array();
  for (const SizeSummary& z : s.sizes) {
    by_size.push_back({{"size", to_string(z.size)},
                       {"clients", z.clients},
                       {"fps_min", z.fps.min},
                       {"fps_median", z.fps.median},
                       {"latency_p95_ms", z.latency_p95_ms},
                       {"downstream_bytes_per_s_median", z.downstream_bytes_per_s.median},
                       {"terminal_bytes_per_s_median", z.terminal_bytes_per_s.median}});
  }
  j["by_size"] = by_size;
  j["clients"] = clients_json(r.clients);
  return j;
}

}  // namespace ttycall::load
