// `ttycall bench`: the load generator. N synthetic clients against a server of its own (or
// a given one), a measuring window, and the figures of both sides; or, with
// --find-capacity, the largest N that still gets full quality. See BENCHMARKS.md.
#include <arpa/inet.h>
#include <fmt/format.h>

#include <atomic>
#include <charconv>
#include <csignal>
#include <cstdio>
#include <memory>

#include "app/commands.h"
#include "core/console.h"
#include "load/bench.h"
#include "load/capacity.h"
#include "load/report.h"
#include "net/protocol.h"
#include "server/server_options.h"

namespace ttycall::app {
namespace {

std::atomic<bool> g_interrupted{false};

void on_signal(int) {
  g_interrupted.store(true);
}

void catch_signals() {
  struct sigaction action {};
  action.sa_handler = on_signal;
  sigemptyset(&action.sa_mask);
  for (int signal : {SIGINT, SIGTERM, SIGHUP}) sigaction(signal, &action, nullptr);
}

std::vector<load::ViewSize> parse_sizes(const std::string& text) {
  std::vector<load::ViewSize> sizes;
  size_t begin = 0;
  while (begin <= text.size()) {
    const size_t end = std::min(text.find(',', begin), text.size());
    const std::string_view item(text.data() + begin, end - begin);
    const size_t x = item.find('x');
    int c = 0, r = 0;
    const bool ok = x != std::string_view::npos &&
                    std::from_chars(item.data(), item.data() + x, c).ptr == item.data() + x &&
                    std::from_chars(item.data() + x + 1, item.data() + item.size(), r).ptr ==
                        item.data() + item.size();
    if (!ok || c < 1 || r < 1 || c > net::kMaxTerminalCols || r > net::kMaxTerminalRows) {
      throw CLI::ValidationError("--size",
                                 "expected COLSxROWS[,COLSxROWS...], e.g. "
                                 "160x48,120x40 (each at most " +
                                     std::to_string(net::kMaxTerminalCols) + "x" +
                                     std::to_string(net::kMaxTerminalRows) + ")");
    }
    sizes.push_back({c, r});
    begin = end + 1;
  }
  return sizes;
}

// The load generator calls servers on this machine only: it is a measuring tool.
std::string loopback_only(const std::string& host) {
  in_addr address{};
  if (host == "localhost" ||
      (::inet_pton(AF_INET, host.c_str(), &address) == 1 && (ntohl(address.s_addr) >> 24) == 127)) {
    return "";
  }
  return "only a server on this machine: 127.x.x.x or localhost";
}

bool write_json(const std::string& path, const nlohmann::ordered_json& j) {
  if (path.empty()) return true;
  if (core::write_file_whole(path.c_str(), j.dump(2) + "\n", false)) return true;
  core::write_stderr_whole("ttycall bench: cannot write " + path + "\n");
  return false;
}

// --find-capacity: the search, a line per run as it ends, then the answer.
int run_capacity_search(const load::BenchConfig& config, double budget,
                        const std::string& json_path) {
  load::CapacityCriteria criteria;
  criteria.budget_seconds = budget;
  fmt::print(
      "ttycall bench --find-capacity: {} fps{}, {}/{}, {}; runs of {:g} s "
      "after {:g} s warm-up\n\n  {:>4}  {:<5} {:>7} {:>7} {:>8} {:>8} {:>8} {:>8} {:>6}\n",
      config.fps, config.audio ? " + voice" : "", media::to_string(config.render),
      media::to_string(config.color), load::describe_sizes(config.sizes), config.duration,
      config.warmup, "N", "", "fps min", "fps med", "p50 ms", "p95 ms", "srv cpu", "load cpu",
      "loadav");
  std::fflush(stdout);
  const core::Result<load::CapacityResult> result =
      load::find_capacity(config, criteria, [](const load::CapacityTrial& t) {
        fmt::print("{}", load::format_trial(t));
        std::fflush(stdout);
      });
  if (!result.is_ok()) {
    core::write_stderr_whole("ttycall bench: " + result.status().message() + "\n");
    return result.status().exit_code();
  }
  fmt::print("{}", load::format_capacity(config, criteria, result.value()));
  std::fflush(stdout);
  return write_json(json_path, load::capacity_json(config, criteria, result.value())) ? 0 : 1;
}

// One measured run and its report.
int run_one_bench(const load::BenchConfig& config, const std::string& json_path) {
  const core::Result<load::BenchResult> result = load::run_bench(config);
  if (!result.is_ok()) {
    core::write_stderr_whole("ttycall bench: " + result.status().message() + "\n");
    return result.status().exit_code();
  }
  const load::BenchSummary summary = load::summarize(result.value());
  fmt::print("{}", load::format_report(result.value(), summary));
  std::fflush(stdout);
  return write_json(json_path, load::report_json(result.value(), summary)) ? 0 : 1;
}

}  // namespace

Command add_bench_command(CLI::App& app) {
  auto* cmd = app.add_subcommand(
      "bench", "Load generator: N synthetic clients against a server, and what it costs");
  auto config = std::make_shared<load::BenchConfig>();
  auto json_path = std::make_shared<std::string>();
  auto find_capacity = std::make_shared<bool>(false);
  auto budget = std::make_shared<double>(load::CapacityCriteria{}.budget_seconds);
  auto* clients = cmd->add_option("--clients", config->clients,
                                  "Synthetic clients (all in one room, or spread with --rooms)")
                      ->check(CLI::Range(1, load::kMaxBenchClients));
  auto* rooms = cmd->add_option("--rooms", config->rooms,
                                "Spread the clients over R rooms in turn (bench-1 ... bench-R)")
                    ->check(CLI::Range(1, load::kMaxBenchClients))
                    ->capture_default_str();
  cmd->add_option("--fps", config->fps, "Frames per second the server sends")
      ->check(CLI::Range(1, 120))
      ->capture_default_str();
  auto* duration = cmd->add_option("--duration", config->duration,
                                   "Seconds measured (default 10; 6 per run with "
                                   "--find-capacity)")
                       ->check(CLI::Range(1.0, 3600.0));
  cmd->add_option("--warmup", config->warmup, "Seconds of call before measuring")
      ->check(CLI::Range(0.0, 600.0))
      ->capture_default_str();
  add_render_options(*cmd, config->render, config->color);
  cmd->add_option_function<std::string>(
         "--size", [config](const std::string& text) { config->sizes = parse_sizes(text); },
         "View size COLSxROWS, or a comma list: clients take the sizes in turn")
      ->default_str("160x48");
  cmd->add_option("--video", config->video,
                  "Every client's camera: test:moving, test:bars or a video file (decoded by "
                  "each client)")
      ->capture_default_str();
  cmd->add_flag("--audio", config->audio,
                "Each client also sends a tone (its own pitch) and receives the mix");
  cmd->add_option("--video-clients", config->video_clients,
                  "Only the first N clients send video; the others have no camera")
      ->check(CLI::Range(0, load::kMaxBenchClients));
  cmd->add_option("--speakers", config->speakers,
                  "With --audio: only the first N clients send a tone; the others listen")
      ->check(CLI::Range(0, load::kMaxBenchClients));
  cmd->add_flag("--receive-only", config->receive_only,
                "Clients check, open and count every frame and voice packet but decode and "
                "render neither: the server's capacity without the clients' own CPU (terminal "
                "bytes read 0)");
  cmd->add_flag("--encode-each", config->encode_each,
                "Every client captures and encodes its own camera frames (by default the "
                "clients' test:moving frames are encoded once per size and shared)");
  cmd->add_option("--gallery", config->gallery,
                  "The spawned server's --gallery (tiles a viewer sees)")
      ->check(CLI::Range(1, 64));
  cmd->add_option("--json", *json_path,
                  "Write every figure as JSON to FILE "
                  "(keys: docs/BENCH_JSON.md)")
      ->type_name("FILE");
  auto* host = cmd->add_option("--host", config->host,
                               "Use the server at this loopback address (127.x.x.x or localhost) "
                               "instead of starting one")
                   ->check(loopback_only);
  cmd->add_option("--port", config->port, "Port of the server given with --host")->needs(host);
  cmd->add_flag("--insecure", config->insecure,
                "Run the call without encryption (with --host: the server must have --insecure)");
  cmd->add_flag("--find-capacity", *find_capacity,
                "Raise N until median fps < 29 or p95 latency > 66 ms; print the largest N "
                "that held")
      ->excludes(clients);
  cmd->add_option("--load-threads", config->load_threads, "Threads running the synthetic clients")
      ->check(CLI::Range(1, 16))
      ->capture_default_str();
  cmd->add_option("--server-exe", config->server_exe,
                  "The ttycall binary whose `server` is measured (e.g. a baseline build)")
      ->capture_default_str()
      ->excludes(host);
  cmd->add_option("--capacity-budget", *budget, "Seconds --find-capacity may take in all")
      ->check(CLI::Range(10.0, 3600.0))
      ->group("");

  return [config, json_path, find_capacity, budget, clients, duration, host, rooms] {
    core::init_logging("warn");
    catch_signals();
    config->cancel = &g_interrupted;
    if (host->count() > 0 && config->port == 0) {
      core::write_stderr_whole("ttycall bench: --host needs --port\n");
      return 2;
    }
    if (!*find_capacity && clients->count() == 0) {
      core::write_stderr_whole("ttycall bench: give --clients N, or --find-capacity\n");
      return 2;
    }
    // The fullest room gets ceil(clients / rooms) of them.
    if ((config->clients + config->rooms - 1) / config->rooms > server::kMaxRoomSize) {
      core::write_stderr_whole(fmt::format(
          "ttycall bench: {} clients in {} room(s) is more than {} in a room: give more --rooms\n",
          config->clients, config->rooms, server::kMaxRoomSize));
      return 2;
    }
    if (*find_capacity && rooms->count() > 0) {
      core::write_stderr_whole("ttycall bench: --find-capacity searches one room; drop --rooms\n");
      return 2;
    }
    if (*find_capacity && duration->count() == 0) config->duration = 6;
    if (*find_capacity) return run_capacity_search(*config, *budget, *json_path);
    return run_one_bench(*config, *json_path);
  };
}

}  // namespace ttycall::app
