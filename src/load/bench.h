#pragma once
// One measured run of `ttycall bench`: a server (spawned as a process of its own unless
// one is given), N synthetic clients, a warm-up, a measuring window, and every figure of
// both sides over that window. Everything is bounded in time; nothing outlives the run.
#include <atomic>
#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "core/status.h"
#include "load/generator.h"
#include "media/render_options.h"

namespace ttycall::load {

// The most synthetic clients of one run (each room holds at most server::kMaxRoomSize).
constexpr int kMaxBenchClients = 4096;

struct BenchConfig {
  int clients = 8;
  int rooms = 1;  // the clients spread over this many rooms in turn (1: all in one call)
  int fps = 30;
  double duration = 10;  // seconds measured, after the warm-up
  double warmup = 3;     // seconds after every client receives frames, not measured
  media::RenderMode render = media::RenderMode::kHalf;
  media::ColorMode color = media::ColorMode::kTrueColor;
  std::vector<ViewSize> sizes{ViewSize{}};
  std::string video = "test:moving";  // every client's camera (a client video source)
  bool audio = false;                 // clients send a tone and receive the mix as well
  int video_clients = -1;             // only the first N clients send video; -1 = all
  int speakers = -1;                  // with audio: only the first N send a tone; -1 = all
  int gallery = 0;                    // the spawned server's --gallery; 0 = its default
  bool insecure = false;              // measure without encryption (both sides)
  std::string host;                   // empty: spawn a server on a free port of 127.0.0.1
  uint16_t port = 0;
  int load_threads = 2;
  bool receive_only = false;  // clients skip decoding and rendering (server capacity)
  bool encode_each = false;   // every client encodes its own test:moving frames
  std::string server_exe = "/proc/self/exe";  // the ttycall binary, for `server`
  const std::atomic<bool>* cancel = nullptr;  // set (e.g. by SIGINT) to end early
  bool progress = true;                       // a line on stderr per phase
};

// The server's side of the window. Optional figures are absent when the server was not
// spawned by the run (only a spawned server can be measured from outside).
struct ServerFigures {
  bool spawned = false;
  int pid = 0;
  std::optional<double> cpu_s_per_s;          // utime + stime over the window / window
  std::optional<int64_t> rss_peak_bytes;      // VmHWM at the end of the window
  std::optional<double> steady_allocs_per_s;  // the server's own: warm-up end -> window end
  std::optional<double> steady_bytes_per_s;
  std::optional<double> window_allocs_per_s;  // heap counters' change across the window
  std::optional<double> window_bytes_per_s;
  nlohmann::json stats;            // its stats file as written at the end of the window
  nlohmann::json stats_at_exit;    // and as written at exit
  std::optional<int> exit_status;  // 0 = clean exit, every allocation freed
  std::string exit_note;           // its "memory at exit" line
};

struct BenchResult {
  BenchConfig config;
  std::string host;
  uint16_t port = 0;
  double window_s = 0;
  int clients_receiving = 0;  // clients receiving frames when the warm-up began
  int clients_failed = 0;     // clients that ended with an error
  std::vector<ClientWindow> clients;
  std::vector<double> upstream_bytes_per_s;  // per connection (TCP_INFO bytes acked)
  std::optional<double> load_cpu_s_per_s;    // this process (all N clients)
  int machine_cpus = 0;
  std::optional<double> loadavg_start;  // the machine's 1-minute load average, run start
  std::optional<double> loadavg_end;    // ... and window end
  // CPU seconds a second the machine spent in the window on neither the server nor this
  // process (other work on the same cores), and what the hypervisor took (steal): a run with
  // either well above 0 measured a shared machine, not the call.
  std::optional<double> other_cpu_s_per_s;
  std::optional<double> steal_s_per_s;
  ServerFigures server;
};

// Runs one measured call. Fails when the server cannot be started or reached, no client
// gets a frame, the server dies, or `cancel` is set.
core::Result<BenchResult> run_bench(const BenchConfig& config);

}  // namespace ttycall::load
