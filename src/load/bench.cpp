#include "load/bench.h"

#include <arpa/inet.h>
#include <fmt/format.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <thread>

#include "core/child_process.h"
#include "core/clock.h"
#include "core/console.h"
#include "load/proc_stats.h"
#include "load/tcp_bytes.h"
#include "net/keys.h"
#include "net/protocol.h"

namespace ttycall::load {
namespace {

using Clock = core::SteadyClock;
constexpr double kServerStartTimeout = 10;              // seconds for the server to listen
constexpr double kJoinTimeout = 15;                     // seconds for every client to get frames
constexpr std::chrono::seconds kServerStopTimeout{10};  // between SIGTERM and SIGKILL

Clock::time_point after(double seconds) {
  return Clock::now() +
         std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(seconds));
}

// A free TCP port on 127.0.0.1, as the kernel hands one out; 0 if none.
uint16_t free_loopback_port() {
  const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return 0;
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t len = sizeof(addr);
  uint16_t port = 0;
  if (::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) == 0 &&
      ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len) == 0) {
    port = ntohs(addr.sin_port);
  }
  ::close(fd);
  return port;
}

std::string read_text(const std::filesystem::path& path) {
  std::ifstream in(path);
  std::ostringstream text;
  if (in) text << in.rdbuf();
  return text.str();
}

std::string last_lines(const std::string& text, int count) {
  size_t pos = text.size();
  while (pos > 0 && text[pos - 1] == '\n') --pos;
  const size_t end = pos;
  for (int n = 0; n < count && pos > 0; ++n) {
    pos = text.rfind('\n', pos - 1);
    if (pos == std::string::npos) {
      pos = 0;
      break;
    }
  }
  return text.substr(pos == 0 ? 0 : pos + 1, end - (pos == 0 ? 0 : pos + 1));
}

nlohmann::json read_json(const std::filesystem::path& path) {
  const nlohmann::json j = nlohmann::json::parse(read_text(path), nullptr, false);
  return j.is_discarded() ? nlohmann::json() : j;
}

std::optional<double> number_at(const nlohmann::json& j, const nlohmann::json::json_pointer& p) {
  if (!j.is_object() || !j.contains(p) || !j.at(p).is_number()) return std::nullopt;
  return j.at(p).get<double>();
}

// A temporary directory for the server's files, removed with everything in it.
class ScratchDir {
 public:
  ScratchDir() {
    const char* tmp = std::getenv("TMPDIR");
    std::string templ = std::string(tmp && *tmp ? tmp : "/tmp") + "/ttycall-bench-XXXXXX";
    if (::mkdtemp(templ.data()) != nullptr) path_ = templ;
  }
  ~ScratchDir() {
    std::error_code ignored;
    if (!path_.empty()) std::filesystem::remove_all(path_, ignored);
  }
  bool ok() const { return !path_.empty(); }
  std::filesystem::path operator/(const char* leaf) const { return path_ / leaf; }

 private:
  std::filesystem::path path_;
};

class Run {
 public:
  explicit Run(const BenchConfig& config) : config_(config) {}

  core::Result<BenchResult> go() {
    result_.config = config_;
    result_.config.cancel = nullptr;
    result_.machine_cpus = int(std::thread::hardware_concurrency());
    result_.loadavg_start = load_average_1m();
    if (core::Status ready = config_.host.empty() ? start_server() : use_given_server();
        !ready.is_ok()) {
      return ready;
    }
    const core::Status driven = drive_clients();
    stop_server();
    if (!driven.is_ok()) return driven;
    return std::move(result_);
  }

 private:
  void say(const std::string& text) const {
    if (config_.progress) core::write_stderr_whole("ttycall bench: " + text + "\n");
  }
  bool cancelled() const { return config_.cancel && config_.cancel->load(); }

  core::Status use_given_server() {
    result_.host = config_.host == "localhost" ? "127.0.0.1" : config_.host;
    result_.port = config_.port;
    return core::Status::ok();
  }

  // `ttycall server` on the free port, its files in the scratch directory.
  std::vector<std::string> server_argv() const {
    std::vector<std::string> argv = {
        "ttycall",
        "server",
        "--bind",
        "127.0.0.1",
        "--port",
        std::to_string(result_.port),
        "--fps",
        std::to_string(config_.fps),
        "--max-clients",
        std::to_string(std::clamp(config_.clients, 1, kMaxBenchClients)),
        // Every synthetic client comes from 127.0.0.1.
        "--max-connections-per-ip",
        std::to_string(std::clamp(config_.clients, 1, kMaxBenchClients) + 1),
        // ... and they all connect at once: no pre-join limit may slow that.
        "--max-pending-per-ip",
        std::to_string(std::clamp(config_.clients, 1, kMaxBenchClients) + 1),
        "--max-pending",
        std::to_string(std::clamp(config_.clients, 1, kMaxBenchClients) + 1),
        "--connections-per-ip-per-second",
        "10000",
        "--handshakes-per-ip-per-second",
        "10000",
        "--warmup",
        fmt::format("{:g}", config_.warmup),
        "--stats-json",
        (scratch_ / "stats.json").string(),
        "--memory-report",
        (scratch_ / "memory-report.txt").string(),
        "--memory-report-interval",
        "1",
        "--log-level",
        "warn",
        "--identity",
        (scratch_ / "server_key").string(),
    };
    if (config_.insecure) argv.push_back("--insecure");
    // The fullest room takes ceil(clients / rooms) of them.
    const int fullest = (config_.clients + config_.rooms - 1) / std::max(config_.rooms, 1);
    argv.insert(argv.end(), {"--max-room-size", std::to_string(std::max(fullest, 1))});
    if (config_.gallery > 0)
      argv.insert(argv.end(), {"--gallery", std::to_string(config_.gallery)});
    return argv;
  }

  core::Status start_server() {
    if (!scratch_.ok()) {
      return core::Status::failed("cannot create a temporary directory for the server's files");
    }
    result_.host = "127.0.0.1";
    result_.port = free_loopback_port();
    if (result_.port == 0) return core::Status::failed("no free TCP port on 127.0.0.1");
    // The server's identity lives with its other files; the clients expect exactly it.
    core::Result<net::Identity> identity = net::Identity::load_or_create(scratch_ / "server_key");
    if (!identity.is_ok()) return identity.status();
    server_key_ = identity->public_key().to_text();
    const std::string log = (scratch_ / "server.log").string();
    core::Result<core::ChildProcess> spawned =
        core::ChildProcess::spawn({server_argv(), config_.server_exe, log, log});
    if (!spawned.is_ok()) return spawned.status();
    server_ = std::move(*spawned);
    result_.server.spawned = true;
    result_.server.pid = int(server_->pid());
    const auto deadline = after(kServerStartTimeout);
    while (!tcp_port_listening(result_.port)) {
      if (!server_->running()) {
        return core::Status::failed(fmt::format("the server could not start (exit status {}){}",
                                                server_->status()->shell_status(),
                                                server_log_tail()));
      }
      if (Clock::now() >= deadline || cancelled()) {
        return core::Status::failed(
            cancelled() ? "interrupted"
                        : fmt::format("the server did not listen on 127.0.0.1:{} within {:g} s{}",
                                      result_.port, kServerStartTimeout, server_log_tail()));
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    say(fmt::format("server pid {} listening on 127.0.0.1:{}", server_->pid(), result_.port));
    return core::Status::ok();
  }

  std::string server_log_tail() const {
    const std::string tail = last_lines(read_text(scratch_ / "server.log"), 15);
    return tail.empty() ? "" : "; its output:\n" + tail;
  }

  // Sleeps until `deadline`; fails if cancelled or the spawned server has died.
  core::Status wait_until(Clock::time_point deadline) {
    while (Clock::now() < deadline) {
      if (cancelled()) return core::Status::failed("interrupted");
      if (server_ && !server_->running()) {
        return core::Status::failed(fmt::format("the server died during the run (exit status {}){}",
                                                server_->status()->shell_status(),
                                                server_log_tail()));
      }
      std::this_thread::sleep_for(
          std::min<Clock::duration>(deadline - Clock::now(), std::chrono::milliseconds(50)));
    }
    return core::Status::ok();
  }

  LoadOptions load_options() const {
    LoadOptions o;
    o.host = result_.host;
    o.port = result_.port;
    o.clients = config_.clients;
    o.rooms = config_.rooms;
    o.sizes = config_.sizes;
    o.video = config_.video;
    o.render = config_.render;
    o.color = config_.color;
    o.audio = config_.audio;
    o.video_clients = config_.video_clients;
    o.speakers = config_.speakers;
    o.threads = config_.load_threads;
    o.receive_only = config_.receive_only;
    o.encode_each = config_.encode_each;
    o.insecure = config_.insecure;
    o.server_key = server_key_;
    return o;
  }

  core::Status drive_clients() {
    LoadGenerator load(load_options());
    load.start();
    const core::Result<int> receiving = join_call(load);
    if (!receiving.is_ok()) return receiving.status();
    say(fmt::format("{} clients in the call; warm-up {:g} s, then measuring {:g} s",
                    receiving.value(), config_.warmup, config_.duration));
    if (core::Status warm = wait_until(after(config_.warmup)); !warm.is_ok()) return warm;
    if (core::Status measured = measure_window(load, receiving.value()); !measured.is_ok()) {
      return measured;
    }
    result_.clients_failed = load.stop(2.0);
    return core::Status::ok();
  }

  // Joining: every client connected and receiving frames, or the bound. How many receive
  // frames; fails when none does.
  core::Result<int> join_call(LoadGenerator& load) {
    const auto join_deadline = after(kJoinTimeout);
    LoadGenerator::Progress last;
    int receiving = 0;
    for (;;) {
      last = load.progress();
      receiving = last.receiving;
      if (receiving + last.ended >= config_.clients || Clock::now() >= join_deadline) break;
      if (core::Status waited = wait_until(after(0.1)); !waited.is_ok()) return waited;
    }
    if (receiving == 0) {
      return core::Status::failed(fmt::format(
          "no client received a frame from {}:{} ({}){}", result_.host, result_.port,
          last.ended >= config_.clients ? "every client gave up: is a server listening there?"
                                        : fmt::format("waited {:g} s", kJoinTimeout),
          server_ ? server_log_tail() : ""));
    }
    if (receiving < config_.clients) {
      say(fmt::format("only {} of {} clients receive frames; measuring anyway{}", receiving,
                      config_.clients,
                      server_ ? ""
                              : " (does the server limit connections per address? see "
                                "`ttycall server --max-connections-per-ip`)"));
    }
    return receiving;
  }

  // The window: every figure of both sides from its start to its end.
  core::Status measure_window(LoadGenerator& load, int receiving) {
    const pid_t server_pid = server_ ? server_->pid() : 0;
    const nlohmann::json stats_begin = server_ ? read_json(scratch_ / "stats.json") : nullptr;
    const std::optional<double> server_cpu_begin =
        server_ ? process_cpu_seconds(server_pid) : std::nullopt;
    const std::optional<double> load_cpu_begin = process_cpu_seconds(0);
    const std::optional<MachineCpu> machine_begin = machine_cpu_seconds();
    const auto tcp_begin = tcp_bytes_to(result_.host, result_.port);
    load.begin_window();
    const auto window_begin = Clock::now();
    result_.clients_receiving = receiving;

    if (core::Status waited = wait_until(after(config_.duration)); !waited.is_ok()) return waited;

    result_.clients = load.end_window();
    const auto window_end = Clock::now();
    const auto tcp_end = tcp_bytes_to(result_.host, result_.port);
    const std::optional<double> load_cpu_end = process_cpu_seconds(0);
    const std::optional<double> server_cpu_end =
        server_ ? process_cpu_seconds(server_pid) : std::nullopt;
    const std::optional<MachineCpu> machine_end = machine_cpu_seconds();
    result_.loadavg_end = load_average_1m();
    const double window = core::seconds_between(window_begin, window_end);
    result_.window_s = window;
    if (load_cpu_begin && load_cpu_end) {
      result_.load_cpu_s_per_s = (*load_cpu_end - *load_cpu_begin) / window;
    }
    for (const auto& [local_port, end] : tcp_end) {
      const auto begin = tcp_begin.find(local_port);
      if (begin == tcp_begin.end()) continue;  // a connection made during the window
      result_.upstream_bytes_per_s.push_back(double(end.sent - begin->second.sent) / window);
    }
    if (server_) {
      ServerFigures& s = result_.server;
      if (server_cpu_begin && server_cpu_end) {
        s.cpu_s_per_s = (*server_cpu_end - *server_cpu_begin) / window;
      }
      s.rss_peak_bytes = process_peak_rss_bytes(server_pid);
      s.stats = read_json(scratch_ / "stats.json");
      window_heap(stats_begin, s.stats);
    }
    // With a server of its own (else the server's CPU is somebody else's too).
    if (machine_begin && machine_end && result_.load_cpu_s_per_s && result_.server.cpu_s_per_s) {
      const double busy = (machine_end->busy - machine_begin->busy) / window;
      result_.other_cpu_s_per_s =
          std::max(0.0, busy - *result_.load_cpu_s_per_s - *result_.server.cpu_s_per_s);
      result_.steal_s_per_s = (machine_end->steal - machine_begin->steal) / window;
    }
    return core::Status::ok();
  }

  // Heap rates across the window, from the two stats files the server wrote nearest its
  // start and end (it writes one every second), and the server's own steady figures.
  void window_heap(const nlohmann::json& begin, const nlohmann::json& end) {
    using P = nlohmann::json::json_pointer;
    ServerFigures& s = result_.server;
    s.steady_allocs_per_s = number_at(end, P("/heap/steady_allocs_per_s"));
    s.steady_bytes_per_s = number_at(end, P("/heap/steady_bytes_per_s"));
    const auto t0 = number_at(begin, P("/uptime_s")), t1 = number_at(end, P("/uptime_s"));
    const auto a0 = number_at(begin, P("/heap/allocs_total"));
    const auto a1 = number_at(end, P("/heap/allocs_total"));
    const auto b0 = number_at(begin, P("/heap/bytes_total"));
    const auto b1 = number_at(end, P("/heap/bytes_total"));
    if (t0 && t1 && a0 && a1 && b0 && b1 && *t1 > *t0) {
      s.window_allocs_per_s = (*a1 - *a0) / (*t1 - *t0);
      s.window_bytes_per_s = (*b1 - *b0) / (*t1 - *t0);
    }
    if (const auto rss = number_at(end, P("/rss_peak_bytes"))) {
      s.rss_peak_bytes = std::max<int64_t>(s.rss_peak_bytes.value_or(0), int64_t(*rss));
    }
  }

  void stop_server() {
    if (!server_) return;
    ServerFigures& s = result_.server;
    s.exit_status = server_->terminate(kServerStopTimeout).shell_status();
    s.stats_at_exit = read_json(scratch_ / "stats.json");
    const std::string log = read_text(scratch_ / "server.log");
    if (const size_t at = log.rfind("memory at exit:"); at != std::string::npos) {
      s.exit_note = log.substr(at, log.find('\n', at) - at);
    }
    server_.reset();
  }

  const BenchConfig& config_;
  BenchResult result_;
  ScratchDir scratch_;
  std::optional<core::ChildProcess> server_;
  std::string server_key_;  // the spawned server's identity, given to every client
};

}  // namespace

core::Result<BenchResult> run_bench(const BenchConfig& config) {
  return Run(config).go();
}

}  // namespace ttycall::load
