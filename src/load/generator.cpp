#include "load/generator.h"

#include <atomic>
#include <chrono>
#include <future>

#include "core/clock.h"

namespace ttycall::load {

struct LoadGenerator::Lane {
  asio::io_context io{1};
  asio::executor_work_guard<asio::io_context::executor_type> work{io.get_executor()};
  std::thread thread;
  std::vector<int> members;  // indices into clients_
  core::SteadyClock::time_point window_start{};
};

LoadGenerator::LoadGenerator(LoadOptions options) : options_(std::move(options)) {
  if (options_.sizes.empty()) options_.sizes.push_back(ViewSize{});
  if (options_.threads < 1) options_.threads = 1;
}

LoadGenerator::~LoadGenerator() {
  stop(0.5);
}

void LoadGenerator::start() {
  const int lanes = std::max(1, std::min(options_.threads, options_.clients));
  for (int i = 0; i < lanes; ++i) lanes_.push_back(std::make_unique<Lane>());
  for (int i = 0; i < options_.clients; ++i) {
    Lane& lane = *lanes_[size_t(i) % lanes_.size()];
    const ViewSize size = options_.sizes[size_t(i) % options_.sizes.size()];
    client::ClientOptions o;
    o.host = options_.host;
    o.port = options_.port;
    o.name = "load-" + std::to_string(i + 1);
    o.video = "test:moving";
    o.audio_in = options_.audio ? "sine:" + std::to_string(200 + 37 * (i % 64)) : "none";
    o.audio_out = "null";
    o.seed = uint32_t(i + 1);
    o.render = options_.render;
    o.color = options_.color;
    o.cols = size.cols;
    o.rows = size.rows;
    o.headless = true;
    o.quiet = true;
    o.handle_signals = false;
    o.first_connect_timeout = options_.connect_timeout;
    o.reconnect_timeout = options_.connect_timeout;
    o.insecure = options_.insecure;
    o.server_key = options_.server_key;
    o.ephemeral_identity = true;  // no key files for synthetic participants
    // A new client only arms timers and a resolve; the io threads are not running yet.
    clients_.push_back(std::make_unique<client::Client>(lane.io, o));
    lane.members.push_back(i);
  }
  for (auto& lane : lanes_) lane->thread = std::thread([&io = lane->io] { io.run(); });
  running_ = true;
}

template <class Fn>
void LoadGenerator::visit(Fn&& fn) {
  std::vector<std::promise<void>> finished(lanes_.size());
  for (size_t l = 0; l < lanes_.size(); ++l) {
    asio::post(lanes_[l]->io, [this, l, &fn, &finished] {
      Lane& lane = *lanes_[l];
      for (int i : lane.members) fn(lane, i, *clients_[size_t(i)]);
      finished[l].set_value();
    });
  }
  for (auto& f : finished) f.get_future().wait();
}

LoadGenerator::Progress LoadGenerator::progress() {
  if (!running_) return {};
  std::atomic<int> receiving{0}, ended{0};
  visit([&receiving, &ended](Lane&, int, const client::Client& member) {
    if (member.stats().frames_received() > 0) receiving.fetch_add(1);
    if (member.done()) ended.fetch_add(1);
  });
  return {receiving.load(), ended.load()};
}

void LoadGenerator::begin_window() {
  if (!running_) return;
  // Runs on the client's own io thread, between its handlers, so nothing reads or writes
  // the figures meanwhile.
  visit([](Lane& lane, int, client::Client& member) {
    member.reset_stats();
    lane.window_start = core::SteadyClock::now();
  });
}

std::vector<ClientWindow> LoadGenerator::end_window() {
  std::vector<ClientWindow> result(clients_.size());
  if (!running_) return result;
  visit([this, &result](Lane& lane, int i, const client::Client& member) {
    ClientWindow& w = result[size_t(i)];
    w.index = i;
    w.size = options_.sizes[size_t(i) % options_.sizes.size()];
    w.seconds = core::seconds_between(lane.window_start, core::SteadyClock::now());
    w.ended = member.done();
    const client::ClientStats& stats = member.stats();
    w.frames = stats.frames_received();
    w.bytes_received = stats.bytes_received();
    w.latency_p50_ms = stats.latency_percentile(50);
    w.latency_p95_ms = stats.latency_percentile(95);
    w.latency_p99_ms = stats.latency_percentile(99);
  });
  return result;
}

int LoadGenerator::stop(double grace_seconds) {
  if (!running_) return 0;
  running_ = false;
  for (auto& client : clients_) client->stop();
  const auto deadline =
      core::SteadyClock::now() + std::chrono::duration_cast<core::SteadyClock::duration>(
                                     std::chrono::duration<double>(grace_seconds));
  for (auto& client : clients_) {
    while (!client->done() && core::SteadyClock::now() < deadline) {
      std::this_thread::sleep_for(std::chrono::milliseconds(5));
    }
  }
  for (auto& lane : lanes_) {
    lane->work.reset();
    lane->io.stop();
  }
  for (auto& lane : lanes_) {
    if (lane->thread.joinable()) lane->thread.join();
  }
  int failed = 0;
  for (auto& client : clients_) {
    if (client->exit_code() != 0) ++failed;
  }
  clients_.clear();  // their sockets and timers go while the io_contexts still exist
  lanes_.clear();
  return failed;
}

}  // namespace ttycall::load
