#include "server/server.h"

#include <fmt/format.h>
#include <spdlog/spdlog.h>
#include <sys/resource.h>

#include <csignal>
#include <stdexcept>

#include "core/console.h"
#include "server/session.h"

namespace ttycall::server {

Server::Server(const ServerOptions& options)
    : context_(options),
      render_workers_(options.render_threads >= 0
                          ? options.render_threads
                          : int(std::max(1u, std::thread::hardware_concurrency())) - 1),
      rooms_(context_, render_workers_),
      room_lines_(context_, rooms_),
      video_rooms_(rooms_.capacity()),
      audio_rooms_(rooms_.capacity()),
      monitor_(options.warmup_seconds),
      started_(core::SteadyClock::now()),
      control_work_(control_.get_executor()),
      audio_work_(audio_.get_executor()),
      audio_timer_(audio_),
      acceptor_(control_),
      tick_timer_(control_),
      housekeeping_timer_(control_),
      signals_(control_) {
  const int threads = options.io_threads > 0
                          ? options.io_threads
                          : int(std::max(1u, std::thread::hardware_concurrency()));
  for (int i = 0; i < threads; ++i) {
    io_contexts_.push_back(std::make_unique<asio::io_context>(1));
    io_work_.emplace_back(io_contexts_.back()->get_executor());
  }
}

Server::~Server() {
  stop();
  wait();
}

void Server::start() {
  const ServerOptions& o = context_.options;
  asio::error_code ec;
  const asio::ip::address address = asio::ip::make_address(o.bind, ec);
  if (ec) throw std::runtime_error(fmt::format("invalid bind address '{}'", o.bind));
  const asio::ip::tcp::endpoint endpoint(address, o.port);
  acceptor_.open(endpoint.protocol(), ec);
  if (!ec) acceptor_.set_option(asio::ip::tcp::acceptor::reuse_address(true), ec);
  if (!ec) acceptor_.bind(endpoint, ec);
  if (!ec) acceptor_.listen(asio::socket_base::max_listen_connections, ec);
  if (ec) {
    throw std::runtime_error(
        fmt::format("cannot listen on {}:{}: {}", o.bind, o.port, ec.message()));
  }
  port_ = acceptor_.local_endpoint().port();
  if (o.web.empty() && (!o.web_tls_cert.empty() || !o.web_tls_key.empty())) {
    throw std::runtime_error("--web-tls-cert and --web-tls-key are for --web HOST:PORT");
  }
  if (!o.web.empty()) {
    web_ = std::make_unique<web::WebListener>(o, acceptor_.local_endpoint(), public_key_text());
    web_->start();
  }
  spdlog::info("ttycall server listening on {}:{} ({} fps, up to {} clients)", o.bind, port_, o.fps,
               o.max_clients);
  spdlog::info("rooms: {}; default room {}, up to {} members each{}",
               context_.rooms.is_open() ? "open (any name makes a room)" : "from " + o.rooms,
               o.default_room, o.max_room_size, o.list_rooms ? "; listed on request" : "");
  if (context_.rooms.find(o.default_room) == nullptr) {
    spdlog::warn("the default room {} is not in {}: a client that names no room is refused",
                 o.default_room, o.rooms);
  }
  if (o.insecure) {
    spdlog::warn("encryption is OFF (--insecure): anyone on the network path can watch and join");
  } else {
    spdlog::info("server key {} (clients pin it on first connect){}{}",
                 context_.auth.identity->public_key().to_text(),
                 context_.auth.password ? "; password required" : "",
                 context_.auth.restrict_keys
                     ? fmt::format("; {} allowed client keys", context_.auth.allowed_keys.size())
                     : "");
  }

  if (!o.cluster_url.empty()) start_cluster();
  if (o.install_signal_handlers) wait_signals();
  accept();
  next_tick_ = core::SteadyClock::now();
  schedule_tick();
  if (o.audio) {
    next_audio_tick_ = core::SteadyClock::now();
    schedule_audio_tick();
  }
  next_report_ = core::SteadyClock::now() + core::to_duration(o.memory_report_interval);
  schedule_housekeeping();

  threads_.reserve(io_contexts_.size() + 1);
  for (auto& io : io_contexts_) threads_.emplace_back([&io = *io] { io.run(); });
  threads_.emplace_back([this] { control_.run(); });
  threads_.emplace_back([this] { audio_.run(); });
}

void Server::start_cluster() {
  const ServerOptions& o = context_.options;
  // --advertise HOST[:PORT]; without a port (or with 0) the port this server listens on.
  std::string host = o.advertise.empty() ? o.bind : o.advertise;
  uint16_t port = port_;
  if (const size_t colon = host.rfind(':'); colon != std::string::npos &&
                                            host.find(']', colon) == std::string::npos &&
                                            (host.front() == '[' || host.find(':') == colon)) {
    const int given = std::atoi(host.c_str() + colon + 1);
    if (given < 0 || given > 65535) {
      throw std::runtime_error(fmt::format("--advertise {}: not a port", o.advertise));
    }
    if (given > 0) port = uint16_t(given);
    host.resize(colon);
  }
  if (host.empty() || host == "0.0.0.0" || host == "::" || host == "[::]") {
    throw std::runtime_error(
        "--cluster needs --advertise HOST[:PORT]: the address clients reach this node at");
  }
  const std::string address = fmt::format("{}:{}", host, port);
  if (!net::is_valid_node_address(address)) {
    throw std::runtime_error(fmt::format(
        "--advertise {}: not an address clients can be sent to (letters, digits, . - : [ ])",
        address));
  }
  std::array<uint8_t, net::kKeyBytes> key{};
  if (context_.auth.identity) key = context_.auth.identity->public_key().bytes;
  cluster::NatsLinkConfig config;
  config.url = o.cluster_url;
  config.cluster_name = o.cluster_name;
  cluster_ =
      std::make_unique<cluster::ClusterNode>(config, address, key, rooms_, context_.counters);
  if (core::Status started = cluster_->start(); !started.is_ok()) {
    throw std::runtime_error(started.message());
  }
  context_.cluster = cluster_.get();
  spdlog::info("cluster: node {} of cluster {} at {}", address, o.cluster_name, o.cluster_url);
}

void Server::drain() {
  const double seconds = context_.options.drain_seconds;
  spdlog::info(
      "received SIGTERM: draining (at most {} s): no new rooms here, clients move to "
      "other nodes",
      seconds);
  drain_deadline_ = core::SteadyClock::now() + core::to_duration(seconds);
  cluster_->start_draining([this] {
    asio::post(control_, [this] {
      rooms_.close_all(net::ByeReason::kDraining,
                       "this node is draining: moving you to another node");
      check_drained();
    });
  });
}

void Server::check_drained() {
  if (stopping_) return;
  const int left = context_.counters.clients_now.load();
  if (left == 0 || core::SteadyClock::now() >= drain_deadline_) {
    spdlog::info("drained: {}", left == 0
                                    ? "every client moved away"
                                    : fmt::format("{} clients still here at the deadline", left));
    return stop();
  }
  drain_timer_.expires_after(std::chrono::milliseconds(100));
  drain_timer_.async_wait([this](const asio::error_code& ec) {
    if (!ec) check_drained();
  });
}

void Server::accept() {
  asio::io_context& io = *io_contexts_[next_io_++ % io_contexts_.size()];
  acceptor_.async_accept(io.get_executor(), bound(accept_memory_, [this](const asio::error_code& ec,
                                                                         SessionSocket socket) {
                           if (ec) {
                             if (ec != asio::error::operation_aborted && !stopping_) {
                               spdlog::warn("accept failed: {}", ec.message());
                               accept();
                             }
                             return;
                           }
                           context_.counters.connections.fetch_add(1);
                           admit(std::move(socket));
                           accept();
                         }));
}

void Server::admit(net::Socket socket) {
  // Every limit is checked here, before a session (or anything else) is built for it.
  asio::error_code ec;
  const asio::ip::tcp::endpoint remote = socket.remote_endpoint(ec);
  if (ec) return;  // gone already; the socket closes with it
  // A relay of the web listener is admitted as the browser it speaks for.
  const std::optional<AddressGroup> browser = web_ ? web_->claim(remote) : std::nullopt;
  const AddressGroup group = browser ? *browser : group_of(remote.address());
  const Refusal refusal = context_.admission.admit(group, core::SteadyClock::now());
  if (refusal != Refusal::kNone) {
    context_.refusals.note(refusal);
    return refuse_unbuilt(socket, refusal);
  }
  std::make_shared<Session>(std::move(socket), context_, rooms_, group)->start();
}

void Server::refuse_unbuilt(net::Socket& socket, Refusal refusal) {
  // A Bye in the clear, written without waiting (a fresh socket's buffer takes it).
  std::array<uint8_t, net::kHeaderSize + 128> packet;
  const size_t n = net::build_packet(
      net::MsgType::kBye, net::Bye::make(bye_reason(refusal), bye_text(refusal)), packet);
  asio::error_code ignored;
  socket.non_blocking(true, ignored);
  socket.write_some(asio::buffer(packet.data(), n), ignored);
  socket.shutdown(asio::socket_base::shutdown_send, ignored);
  // What the client already sent is read and dropped: closing with unread bytes would
  // reset the connection, and the reset could overtake the Bye.
  std::array<uint8_t, 1024> drain;
  socket.read_some(asio::buffer(drain), ignored);
  socket.close(ignored);
}

void Server::schedule_tick() {
  const auto period = core::to_duration(1.0 / std::max(1, context_.options.fps));
  next_tick_ += period;
  // A tick that ran late by less than a period is followed at once, on the same schedule, so
  // a slow tick now and then (a busy machine, a preempted thread) costs no frame; fallen
  // further behind, the missed ticks are skipped, never made up in a burst.
  const auto now = core::SteadyClock::now();
  if (next_tick_ + period < now) next_tick_ = now;
  tick_timer_.expires_at(next_tick_);
  tick_timer_.async_wait(bound(tick_memory_, [this](const asio::error_code& ec) {
    if (ec || stopping_) return;
    const int n = rooms_.snapshot(video_rooms_);
    for (int i = 0; i < n; ++i) {
      try {
        video_rooms_[i]->tick_video();
      } catch (const std::bad_alloc&) {
        tick_out_of_memory("video");
      }
      video_rooms_[i].reset();
    }
    schedule_tick();
  }));
}

void Server::schedule_audio_tick() {
  next_audio_tick_ += std::chrono::milliseconds(media::audio::kFrameMs);
  const auto now = core::SteadyClock::now();
  if (next_audio_tick_ < now - std::chrono::milliseconds(100)) next_audio_tick_ = now;
  audio_timer_.expires_at(next_audio_tick_);
  audio_timer_.async_wait(bound(audio_memory_, [this](const asio::error_code& ec) {
    if (ec || stopping_) return;
    const int n = rooms_.snapshot(audio_rooms_);
    for (int i = 0; i < n; ++i) {
      try {
        audio_rooms_[i]->tick_audio();
      } catch (const std::bad_alloc&) {
        tick_out_of_memory("audio");
      }
      audio_rooms_[i].reset();
    }
    schedule_audio_tick();
  }));
}

void Server::schedule_housekeeping() {
  housekeeping_timer_.expires_after(std::chrono::seconds(1));
  housekeeping_timer_.async_wait(bound(housekeeping_memory_, [this](const asio::error_code& ec) {
    if (ec || stopping_) return;
    {
      std::lock_guard lock(report_mutex_);
      monitor_.sample();
    }
    context_.refusals.flush(core::SteadyClock::now());
    fit_render_scratch();
    const double interval = context_.options.memory_report_interval;
    if (interval > 0 && core::SteadyClock::now() >= next_report_) {
      next_report_ += core::to_duration(interval);
      write_memory_report();
      write_stats_json();
    }
    schedule_housekeeping();
  }));
}

void Server::tick_out_of_memory(const char* tick) {
  // Whatever in a room's tick ran out of memory, that room skips this tick and the others
  // go on; the log says so once a second at most (on both tick threads together).
  const auto now = core::SteadyClock::now().time_since_epoch().count();
  auto last = last_out_of_memory_log_.load(std::memory_order_relaxed);
  const auto second =
      std::chrono::duration_cast<core::SteadyClock::duration>(std::chrono::seconds(1)).count();
  if (now - last >= second &&
      last_out_of_memory_log_.compare_exchange_strong(last, now, std::memory_order_relaxed)) {
    spdlog::warn("out of memory in a room's {} tick: it skipped a tick (see --max-pool-memory)",
                 tick);
  }
}

void Server::fit_render_scratch() {
  // On the control thread, between ticks: the render threads are idle.
  ViewSize largest;
  int views = 0;
  const int n = rooms_.snapshot(video_rooms_);
  for (int i = 0; i < n; ++i) {
    const ViewSize size = video_rooms_[i]->largest_view();
    if (size.cells() > largest.cells()) largest = size;
    views += int(video_rooms_[i]->view_count());
    video_rooms_[i].reset();
  }
  render_workers_.fit_scratch(largest);
  if (cluster_) cluster_->note_views(views);  // the load this node reports
}

void Server::wait_signals() {
  signals_.add(SIGINT);
  signals_.add(SIGTERM);
  signals_.add(SIGUSR1);
  signals_.async_wait(bound(signal_memory_, [this](const asio::error_code& ec, int signal) {
    if (ec) return;
    if (signal == SIGUSR1) {
      write_memory_report();
      write_stats_json();
      wait_signals();
      return;
    }
    if (signal == SIGTERM && cluster_ && !cluster_->draining() &&
        context_.options.drain_seconds > 0) {
      drain();
      wait_signals();  // a second SIGTERM (or a SIGINT) stops at once
      return;
    }
    spdlog::info("received {}, shutting down", signal == SIGINT ? "SIGINT" : "SIGTERM");
    stop();
  }));
}

void Server::write_memory_report() {
  std::lock_guard lock(report_mutex_);
  const std::string_view text = monitor_.report(&room_lines_);
  const std::string& path = context_.options.memory_report_path;
  if (path.empty()) {
    core::write_stderr_whole(text);
  } else if (!core::write_file_whole(path.c_str(), text, /*append=*/true)) {
    spdlog::warn("cannot write the memory report to {}", path);
  }
}

void Server::write_stats_json() {
  const std::string& path = context_.options.stats_json_path;
  if (path.empty()) return;
  rusage usage{};
  getrusage(RUSAGE_SELF, &usage);
  const core::HeapTotals heap = core::alloc_accounting::totals();
  double steady_allocs, steady_bytes;
  {
    std::lock_guard lock(report_mutex_);
    if (steady_frozen_) {
      steady_allocs = frozen_allocs_per_s_;
      steady_bytes = frozen_bytes_per_s_;
    } else {
      monitor_.sample();
      steady_allocs = monitor_.steady_allocs_per_s();
      steady_bytes = monitor_.steady_bytes_per_s();
    }
  }
  const ServerCounters& c = context_.counters;
  const auto r = fmt::format_to_n(
      stats_text_.data(), stats_text_.size(),
      "{{\"clients_peak\": {}, \"frames_rendered\": {}, \"frames_sent\": {}, "
      "\"frames_dropped\": {}, \"video_frames_in\": {}, \"video_frames_rejected\": {}, "
      "\"video_frames_over_rate\": {}, \"video_frames_superseded\": {}, "
      "\"video_frames_unwanted\": {}, \"voice_packets_over_rate\": {}, "
      "\"renders_out_of_memory\": {}, \"pool_budget_refusals\": {}, \"connections\": {}, "
      "\"uptime_s\": {:.3f}, \"warmed_up\": {}, "
      "\"heap\": {{\"allocs_total\": {}, \"bytes_total\": {}, \"current_bytes\": {}, "
      "\"peak_bytes\": {}, \"steady_allocs_per_s\": {:.3f}, \"steady_bytes_per_s\": {:.3f}}}, "
      "\"rss_peak_bytes\": {}}}\n",
      c.clients_peak.load(), c.frames_rendered.load(), c.frames_sent.load(),
      c.frames_dropped.load(), c.video_frames_in.load(), c.video_frames_rejected.load(),
      c.video_frames_over_rate.load(), c.video_frames_superseded.load(),
      c.video_frames_unwanted.load(), c.voice_packets_over_rate.load(),
      c.renders_out_of_memory.load(), context_.pool_budget.refusals(), c.connections.load(),
      core::seconds_between(started_, core::SteadyClock::now()), monitor_.warmed_up(), heap.allocs,
      heap.bytes_allocated, heap.current_bytes, heap.peak_bytes, steady_allocs, steady_bytes,
      int64_t(usage.ru_maxrss) * 1024);
  const std::string_view text(stats_text_.data(), std::min(r.size, stats_text_.size()));
  // Write then rename, so a reader never sees half a file.
  std::array<char, 4096> tmp{};
  fmt::format_to_n(tmp.data(), tmp.size() - 1, "{}.tmp", path);
  if (!core::write_file_whole(tmp.data(), text, false) ||
      std::rename(tmp.data(), path.c_str()) != 0) {
    spdlog::warn("cannot write the stats file {}", path);
  }
}

void Server::stop() {
  if (stopping_.exchange(true)) return;
  {
    std::lock_guard lock(report_mutex_);
    monitor_.sample();
    frozen_allocs_per_s_ = monitor_.steady_allocs_per_s();
    frozen_bytes_per_s_ = monitor_.steady_bytes_per_s();
    steady_frozen_ = true;
  }
  if (web_) web_->stop();
  asio::post(control_, [this] {
    asio::error_code ignored;
    acceptor_.close(ignored);
    tick_timer_.cancel();
    housekeeping_timer_.cancel();
    drain_timer_.cancel();
    signals_.cancel();
    rooms_.close_all();
    // Give sessions a moment to send their Bye, then stop whatever is left.
    auto grace = std::make_shared<asio::steady_timer>(control_, std::chrono::milliseconds(200));
    grace->async_wait([this, grace](const asio::error_code&) {
      for (auto& io : io_contexts_) io->stop();
      audio_work_.reset();
      audio_.stop();
      control_work_.reset();
      control_.stop();
    });
  });
}

void Server::wait() {
  for (std::thread& t : threads_) {
    if (t.joinable()) t.join();
  }
  if (threads_.empty()) return;
  threads_.clear();
  if (cluster_) cluster_->stop();  // deletes this node's claims, while NATS is there
  rooms_.clear();  // sessions must go while the io_context that owns their sockets exists
  if (context_.options.report_at_exit) write_memory_report();
  write_stats_json();
}

}  // namespace ttycall::server
