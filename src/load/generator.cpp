#include "load/generator.h"

#include <asio.hpp>
#include <atomic>
#include <chrono>
#include <future>
#include <thread>

#include "client/call_observer.h"
#include "client/client.h"
#include "client/latency_samples.h"
#include "core/clock.h"
#include "load/shared_pattern_frames.h"

namespace ttycall::load {

struct LoadGenerator::Lane {
  asio::io_context io{1};
  asio::executor_work_guard<asio::io_context::executor_type> work{io.get_executor()};
  std::thread thread;
  std::vector<int> clients;  // indices into clients_
  core::SteadyClock::time_point window_start{};
};

// Counted on the client's io thread as it reports; read there too (visit), except
// ended(), which the generator's own thread waits on.
class LoadGenerator::Tally final : public client::CallObserver {
 public:
  void on_video_frame(size_t wire_bytes, size_t terminal_bytes) override {
    receiving_ = true;
    ++frames_;
    bytes_ += wire_bytes;
    video_bytes_ += wire_bytes;
    terminal_bytes_ += terminal_bytes;
  }
  void on_own_latency_ms(double ms) override { latencies_.add(ms); }
  void on_packet_bytes(size_t wire_bytes) override { bytes_ += wire_bytes; }
  void on_ended() override { ended_.store(true, std::memory_order_release); }

  void begin_window() {
    frames_ = 0;
    bytes_ = 0;
    video_bytes_ = 0;
    terminal_bytes_ = 0;
    latencies_.clear();
  }
  // A frame has arrived since the client started (windows aside).
  bool receiving() const { return receiving_; }
  bool ended() const { return ended_.load(std::memory_order_acquire); }
  // The window's figures into `w` (all but its index, size and length).
  void fill(ClientWindow& w) const {
    w.frames = frames_;
    w.bytes_received = bytes_;
    w.video_bytes = video_bytes_;
    w.terminal_bytes = terminal_bytes_;
    w.latency_p50_ms = latencies_.percentile(50);
    w.latency_p95_ms = latencies_.percentile(95);
    w.latency_p99_ms = latencies_.percentile(99);
    w.ended = ended();
  }

 private:
  bool receiving_ = false;
  uint64_t frames_ = 0;
  uint64_t bytes_ = 0;
  uint64_t video_bytes_ = 0;
  uint64_t terminal_bytes_ = 0;
  client::LatencySamples latencies_;
  std::atomic<bool> ended_{false};
};

struct LoadGenerator::SyntheticClient {
  Tally tally;  // declared first: it outlives the client that reports to it
  std::unique_ptr<client::Client> client;
};

LoadGenerator::LoadGenerator(LoadOptions options) : options_(std::move(options)) {
  if (options_.sizes.empty()) options_.sizes.push_back(ViewSize{});
  if (options_.threads < 1) options_.threads = 1;
  if (options_.video == "test:moving" && !options_.encode_each) {
    shared_frames_ = std::make_shared<SharedPatternFrames>();
  }
}

std::string room_name(int index, int rooms) {
  return "bench-" + std::to_string(index % rooms + 1);
}

LoadGenerator::~LoadGenerator() {
  stop(0.5);
}

client::ClientOptions LoadGenerator::client_options(int index) const {
  const ViewSize size = options_.sizes[size_t(index) % options_.sizes.size()];
  client::ClientOptions o;
  o.host = options_.host;
  o.port = options_.port;
  if (options_.rooms > 1) o.room = room_name(index, options_.rooms);
  o.name = "load-" + std::to_string(index + 1);
  const bool camera = options_.video_clients < 0 || index < options_.video_clients;
  const bool speaks = options_.audio && (options_.speakers < 0 || index < options_.speakers);
  o.video = camera ? options_.video : "none";
  o.audio_in = speaks ? "sine:" + std::to_string(200 + 37 * (index % 64)) : "none";
  o.audio_out = "null";
  o.seed = uint32_t(index + 1);
  if (camera) o.encoded_frames = shared_frames_;
  o.render = options_.render;
  o.color = options_.color;
  o.cols = size.cols;
  o.rows = size.rows;
  o.headless = true;
  o.receive_only = options_.receive_only;
  o.quiet = true;
  o.handle_signals = false;
  o.first_connect_timeout = options_.connect_timeout;
  o.reconnect_timeout = options_.connect_timeout;
  o.insecure = options_.insecure;
  o.server_key = options_.server_key;
  o.ephemeral_identity = true;  // no key files for synthetic participants
  return o;
}

void LoadGenerator::start() {
  const int lanes = std::max(1, std::min(options_.threads, options_.clients));
  for (int i = 0; i < lanes; ++i) lanes_.push_back(std::make_unique<Lane>());
  for (int i = 0; i < options_.clients; ++i) {
    Lane& lane = *lanes_[size_t(i) % lanes_.size()];
    auto synthetic = std::make_unique<SyntheticClient>();
    // A new client only arms timers and a resolve; the io threads are not running yet.
    synthetic->client =
        std::make_unique<client::Client>(lane.io, client_options(i), &synthetic->tally);
    clients_.push_back(std::move(synthetic));
    lane.clients.push_back(i);
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
      for (int i : lane.clients) fn(lane, i, *clients_[size_t(i)]);
      finished[l].set_value();
    });
  }
  for (auto& f : finished) f.get_future().wait();
}

LoadGenerator::Progress LoadGenerator::progress() {
  if (!running_) return {};
  std::atomic<int> receiving{0}, ended{0};
  visit([&receiving, &ended](Lane&, int, const SyntheticClient& synthetic) {
    if (synthetic.tally.receiving()) receiving.fetch_add(1);
    if (synthetic.tally.ended()) ended.fetch_add(1);
  });
  return {receiving.load(), ended.load()};
}

void LoadGenerator::begin_window() {
  if (!running_) return;
  // Runs on the client's own io thread, between its handlers, so nothing reads or writes
  // the figures meanwhile.
  visit([](Lane& lane, int, SyntheticClient& synthetic) {
    synthetic.tally.begin_window();
    lane.window_start = core::SteadyClock::now();
  });
}

std::vector<ClientWindow> LoadGenerator::end_window() {
  std::vector<ClientWindow> result(clients_.size());
  if (!running_) return result;
  visit([this, &result](Lane& lane, int i, const SyntheticClient& synthetic) {
    ClientWindow& w = result[size_t(i)];
    w.index = i;
    w.size = options_.sizes[size_t(i) % options_.sizes.size()];
    w.seconds = core::seconds_between(lane.window_start, core::SteadyClock::now());
    synthetic.tally.fill(w);
  });
  return result;
}

int LoadGenerator::stop(double grace_seconds) {
  if (!running_) return 0;
  running_ = false;
  for (auto& synthetic : clients_) synthetic->client->stop();
  // Without its work guard a lane's io thread returns by itself once its clients have ended
  // and their cancelled operations have completed. Only then may the clients go: those
  // operations live in the clients' own handler memory, and an io_context destroyed with one
  // still queued would touch memory already freed.
  for (auto& lane : lanes_) lane->work.reset();
  const auto deadline =
      core::SteadyClock::now() + std::chrono::duration_cast<core::SteadyClock::duration>(
                                     std::chrono::duration<double>(grace_seconds));
  for (auto& lane : lanes_) {
    while (!lane->io.stopped() && core::SteadyClock::now() < deadline) {
      std::this_thread::sleep_for(std::chrono::milliseconds(5));
    }
  }
  for (auto& lane : lanes_) {
    lane->io.stop();  // a lane still busy past the grace stops where it is
    if (lane->thread.joinable()) lane->thread.join();
    // What such a lane left queued (cancelled operations, posts) completes here, while its
    // clients still exist; run_for returns as soon as nothing is left.
    lane->io.restart();
    lane->io.run_for(std::chrono::seconds(1));
  }
  int failed = 0;
  for (auto& synthetic : clients_) {
    if (synthetic->client->exit_code() != 0) ++failed;
  }
  clients_.clear();  // their sockets and timers go while the io_contexts still exist
  lanes_.clear();
  return failed;
}

}  // namespace ttycall::load
