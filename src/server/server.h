#pragma once
// `ttycall server`: accepts clients into rooms, runs every room's compositor at the
// server's frame rate and its mixer every 20 ms, and reports its memory.
//
// Threads: one io thread per core, each running its own io_context; a session lives on one
// of them (assigned round-robin), so its handlers never hop threads. One control thread
// runs the acceptor, the compositor tick and the housekeeping timers. start() binds and
// returns; stop() may be called from any thread; wait() returns once everything has shut
// down and the exit report and stats file are written.
#include <asio.hpp>
#include <atomic>
#include <memory>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "core/handler_memory.h"
#include "core/memory_report.h"
#include "net/connection.h"
#include "server/cluster/cluster_node.h"
#include "server/render_workers.h"
#include "server/room.h"
#include "server/room_directory.h"
#include "server/room_memory_lines.h"
#include "server/server_context.h"
#include "server/server_options.h"
#include "server/web/web_listener.h"

namespace ttycall::server {

class Server {
 public:
  explicit Server(const ServerOptions& options);
  ~Server();
  Server(const Server&) = delete;
  Server& operator=(const Server&) = delete;

  // Binds and starts serving. Throws std::runtime_error with a clear message on failure.
  void start();
  uint16_t port() const { return port_; }
  // The web participant's HTTP port (--web), 0 without it.
  uint16_t web_port() const { return web_ ? web_->port() : 0; }
  // The identity clients pin (empty in --insecure mode).
  std::string public_key_text() const {
    return context_.auth.identity ? context_.auth.identity->public_key().to_text() : "";
  }
  void stop();
  void wait();

  // The current Memory Report text (also what SIGUSR1 writes).
  void write_memory_report();
  const ServerCounters& counters() const { return context_.counters; }

 private:
  template <class F>
  auto bound(core::HandlerMemory& memory, F&& handler) {
    return asio::bind_allocator(core::HandlerAllocator<int>(memory), std::forward<F>(handler));
  }
  void accept();
  // Checks a new connection against the admission limits; builds its session, or refuses
  // it with a Bye.
  void admit(net::Socket socket);
  static void refuse_unbuilt(net::Socket& socket, Refusal refusal);
  void schedule_tick();
  void schedule_audio_tick();
  void schedule_housekeeping();
  // Lets the render threads' scratch go down to what the largest view left needs.
  void fit_render_scratch();
  // A room's tick threw std::bad_alloc: one log line a second at most.
  void tick_out_of_memory(const char* tick);
  void wait_signals();
  void write_stats_json();
  // --cluster: joins the cluster as the node clients reach at --advertise.
  void start_cluster();
  // SIGTERM to a cluster node: no new rooms, clients asked to move, exit once empty or
  // after --drain-seconds.
  void drain();
  void check_drained();

  // Declared before the io_context so they outlive every session it still holds.
  ServerContext context_;
  RenderWorkers render_workers_;
  RoomDirectory rooms_;
  RoomMemoryLines room_lines_;  // the rooms' lines in the Memory Report
  // Each tick's snapshot of the live rooms (sized once: capacity() of the directory).
  std::vector<std::shared_ptr<Room>> video_rooms_;
  std::vector<std::shared_ptr<Room>> audio_rooms_;
  core::MemoryMonitor monitor_;
  core::SteadyClock::time_point started_;
  std::mutex report_mutex_;

  using WorkGuard = asio::executor_work_guard<asio::io_context::executor_type>;
  std::vector<std::unique_ptr<asio::io_context>> io_contexts_;  // one per io thread
  std::vector<WorkGuard> io_work_;
  size_t next_io_ = 0;
  asio::io_context control_;  // acceptor, compositor, timers, signals
  std::optional<WorkGuard> control_work_;
  asio::io_context audio_;  // the 20 ms mixer tick, on a thread of its own
  std::optional<WorkGuard> audio_work_;
  asio::steady_timer audio_timer_;
  core::HandlerMemory audio_memory_;
  core::SteadyClock::time_point next_audio_tick_;
  asio::ip::tcp::acceptor acceptor_;
  std::unique_ptr<web::WebListener> web_;  // --web: relays browsers to acceptor_
  asio::steady_timer tick_timer_;
  asio::steady_timer housekeeping_timer_;
  asio::signal_set signals_;
  core::HandlerMemory accept_memory_;
  core::HandlerMemory tick_memory_;
  core::HandlerMemory housekeeping_memory_;
  core::HandlerMemory signal_memory_;
  core::SteadyClock::time_point next_tick_;
  core::SteadyClock::time_point next_report_;
  std::vector<std::thread> threads_;
  std::atomic<bool> stopping_{false};
  std::atomic<core::SteadyClock::rep> last_out_of_memory_log_{0};  // tick_out_of_memory()
  uint16_t port_ = 0;
  std::array<char, 2048> stats_text_{};
  // Steady-state figures frozen when shutdown begins: closing connections allocates a
  // little (log lines, goodbyes), which is not steady-state work.
  bool steady_frozen_ = false;
  double frozen_allocs_per_s_ = 0;
  double frozen_bytes_per_s_ = 0;
  // Clustered (--cluster) only. Last, so it goes first: its thread may still hold sessions.
  asio::steady_timer drain_timer_{control_};
  core::SteadyClock::time_point drain_deadline_{};
  std::unique_ptr<cluster::ClusterNode> cluster_;
};

}  // namespace ttycall::server
