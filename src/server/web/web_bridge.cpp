// Built as C++17 without ASIO_NO_DEPRECATED (see web_bridge.h): websocketpp 0.8 needs both.
#define _WEBSOCKETPP_CPP11_STL_
#include "server/web/web_bridge.h"

#include <atomic>
#include <cstring>
#include <map>
#include <mutex>
#include <stdexcept>
#include <thread>
#include <vector>
#include <websocketpp/config/asio_no_tls.hpp>
#include <websocketpp/server.hpp>

namespace ttycall::server::web {
namespace {

// websocketpp makes a message (a shared object and its payload string) for every frame it
// reads and two for every one it sends; at 160 frames a second per browser that was ~1800
// heap allocations a second. This manager keeps each connection's messages and hands out
// one nobody holds any more (use count 1: only the pool), its payload's capacity kept, so a
// call in steady state allocates no messages at all. A message that grew past kKeepBytes
// gives its memory back when reused for a small one, so a burst of large frames does not
// pin memory for the connection's life.
template <class Message>
class PooledMessages : public std::enable_shared_from_this<PooledMessages<Message>> {
 public:
  using type = PooledMessages<Message>;
  using ptr = std::shared_ptr<type>;
  using weak_ptr = std::weak_ptr<type>;
  using message_ptr = typename Message::ptr;
  static constexpr size_t kPoolSize = 48;
  static constexpr size_t kKeepBytes = 256 * 1024;

  PooledMessages() { pool_.reserve(kPoolSize); }

  message_ptr get_message() { return get_message(websocketpp::frame::opcode::binary, 0); }
  message_ptr get_message(websocketpp::frame::opcode::value op, size_t size) {
    for (message_ptr& m : pool_) {
      if (m.use_count() != 1) continue;
      m->set_opcode(op);
      m->set_prepared(false);
      m->set_fin(true);
      m->set_terminal(false);
      m->set_compressed(false);
      m->set_header(std::string());
      std::string& payload = m->get_raw_payload();
      if (payload.capacity() > kKeepBytes && size <= kKeepBytes) std::string().swap(payload);
      payload.clear();
      payload.reserve(size);
      return m;
    }
    message_ptr m = std::make_shared<Message>(this->shared_from_this(), op, size);
    if (pool_.size() < kPoolSize) pool_.push_back(m);
    return m;
  }
  bool recycle(Message*) { return false; }

 private:
  std::vector<message_ptr> pool_;
};

template <class Manager>
struct PerConnectionManagers {
  using con_msg_man_ptr = typename Manager::ptr;
  con_msg_man_ptr get_manager() const { return std::make_shared<Manager>(); }
};

// websocketpp's asio config with pooled messages and its logs off (the server logs what
// matters itself).
struct QuietConfig : websocketpp::config::asio {
  using message_type = websocketpp::message_buffer::message<PooledMessages>;
  using con_msg_manager_type = PooledMessages<message_type>;
  using endpoint_msg_manager_type = PerConnectionManagers<con_msg_manager_type>;
  static const websocketpp::log::level elog_level = websocketpp::log::elevel::none;
  static const websocketpp::log::level alog_level = websocketpp::log::alevel::none;
};
using Endpoint = websocketpp::server<QuietConfig>;
using Hdl = websocketpp::connection_hdl;
using Message = Endpoint::message_ptr;
namespace ws_close = websocketpp::close::status;

// The queue of either direction that stops the other side reading (backpressure, not loss:
// a sealed stream cannot drop a packet).
constexpr size_t kQueueHighWater = 4u << 20;
constexpr size_t kHeaderBytes = 16;

uint32_t length_field(const uint8_t* header) {
  return uint32_t(header[8]) | uint32_t(header[9]) << 8 | uint32_t(header[10]) << 16 |
         uint32_t(header[11]) << 24;
}

}  // namespace

class WebBridge::Impl {
 public:
  explicit Impl(WebBridgeConfig config) : config_(std::move(config)) {}

  void start() {
    endpoint_.init_asio(&io_);
    endpoint_.set_reuse_addr(true);
    endpoint_.set_open_handshake_timeout(config_.handshake_timeout_ms);
    endpoint_.set_max_message_size(config_.max_upstream_packet);
    endpoint_.set_max_http_body_size(0);
    endpoint_.set_http_handler([this](Hdl hdl) { on_http(hdl); });
    endpoint_.set_validate_handler([this](Hdl hdl) { return on_validate(hdl); });
    endpoint_.set_open_handler([this](Hdl hdl) { on_open(hdl); });
    endpoint_.set_message_handler([this](Hdl hdl, Message msg) { on_message(hdl, msg); });
    endpoint_.set_close_handler([this](Hdl hdl) { on_gone(hdl); });
    endpoint_.set_fail_handler([this](Hdl hdl) { on_gone(hdl); });
    asio::error_code ec;
    const asio::ip::address address = asio::ip::make_address(config_.listen_host, ec);
    if (ec) throw std::runtime_error("invalid --web address '" + config_.listen_host + "'");
    target_ = asio::ip::tcp::endpoint(asio::ip::make_address(config_.target_host, ec),
                                      config_.target_port);
    if (ec) throw std::runtime_error("invalid relay address '" + config_.target_host + "'");
    endpoint_.listen(asio::ip::tcp::endpoint(address, config_.listen_port), ec);
    if (!ec) endpoint_.start_accept(ec);
    if (ec) {
      throw std::runtime_error("cannot listen for the web on " + config_.listen_host + ":" +
                               std::to_string(config_.listen_port) + ": " + ec.message());
    }
    port_ = endpoint_.get_local_endpoint(ec).port();
    thread_ = std::thread([this] {
      const std::function<void()> run = [this] { io_.run(); };
      config_.run_thread ? config_.run_thread(run) : run();
    });
  }

  uint16_t port() const { return port_; }

  void stop() {
    if (!thread_.joinable()) return;
    asio::post(io_, [this] {
      asio::error_code ec;
      endpoint_.stop_listening(ec);
      for (auto& [hdl, relay] : relays_) {
        relay->tcp.close(ec);
        endpoint_.close(hdl, ws_close::going_away, "server stopping", ec);
      }
    });
    // Closing handshakes get a moment; then the loop stops whatever is left.
    stop_timer_.expires_after(std::chrono::milliseconds(500));
    stop_timer_.async_wait([this](const asio::error_code&) { io_.stop(); });
    thread_.join();
    std::lock_guard lock(counters_mutex_);
    relays_.clear();
  }

  WebBridgeCounters counters() const {
    std::lock_guard lock(counters_mutex_);
    return counters_;
  }

 private:
  struct Relay {
    explicit Relay(asio::io_context& io) : tcp(io), backoff(io) {}
    Hdl hdl;
    asio::ip::tcp::socket tcp;
    asio::steady_timer backoff;  // waits while the browser's send queue is full
    uint16_t local_port = 0;
    bool connected = false;
    bool writing = false;
    bool paused = false;
    bool closed = false;
    // Whole packets for the server, oldest first: the messages themselves (pooled), in a
    // ring that grows only if a burst outruns it.
    std::vector<Message> up = std::vector<Message>(32);
    size_t up_head = 0;
    size_t up_count = 0;
    size_t up_bytes = 0;
    void push_up(const Message& m) {
      if (up_count == up.size()) {
        std::vector<Message> bigger(up.size() * 2);
        for (size_t i = 0; i < up_count; ++i) bigger[i] = std::move(up[(up_head + i) % up.size()]);
        up = std::move(bigger);
        up_head = 0;
      }
      up[(up_head + up_count++) % up.size()] = m;
      up_bytes += m->get_payload().size();
    }
    const Message& front_up() const { return up[up_head]; }
    void pop_up() {
      up_bytes -= up[up_head]->get_payload().size();
      up[up_head].reset();
      up_head = (up_head + 1) % up.size();
      --up_count;
    }
    std::vector<uint8_t> down;  // bytes read from the server, not yet a whole packet
    size_t down_used = 0;
  };
  using RelayPtr = std::shared_ptr<Relay>;

  template <class F>
  void count(F&& change) {
    std::lock_guard lock(counters_mutex_);
    change(counters_);
  }

  void on_http(Hdl hdl) {
    asio::error_code ec;
    auto con = endpoint_.get_con_from_hdl(hdl, ec);
    if (ec) return;
    HttpReply reply;
    if (con->get_request().get_method() == "GET" && config_.http) {
      reply = config_.http(con->get_resource());
    } else {
      reply = {405, "text/plain; charset=utf-8", "method not allowed\n"};
    }
    con->set_status(websocketpp::http::status_code::value(reply.status));
    con->append_header("Content-Type", reply.content_type);
    con->append_header("X-Content-Type-Options", "nosniff");
    con->append_header("Cache-Control", "no-store");
    con->append_header("Referrer-Policy", "no-referrer");
    con->append_header("X-Frame-Options", "DENY");
    con->append_header("Content-Security-Policy",
                       "default-src 'self'; script-src 'self' 'unsafe-inline' "
                       "'wasm-unsafe-eval'; img-src 'self' blob: data:; "
                       "connect-src 'self'; frame-ancestors 'none'");
    con->set_body(std::move(reply.body));
  }

  bool on_validate(Hdl hdl) {
    asio::error_code ec;
    auto con = endpoint_.get_con_from_hdl(hdl, ec);
    if (ec) return false;
    const std::string origin = con->get_request_header("Origin");
    const std::string host = con->get_request_header("Host");
    if (!config_.allow_origin || !config_.allow_origin(origin, host)) {
      count([](WebBridgeCounters& c) { ++c.refused_origin; });
      con->set_status(websocketpp::http::status_code::forbidden);
      return false;
    }
    if (relays_.size() >= config_.max_connections) {
      con->set_status(websocketpp::http::status_code::service_unavailable);
      return false;
    }
    return true;
  }

  void on_open(Hdl hdl) {
    asio::error_code ec;
    auto con = endpoint_.get_con_from_hdl(hdl, ec);
    if (ec) return;
    const auto remote = con->get_raw_socket().remote_endpoint(ec);
    if (ec) return endpoint_.close(hdl, ws_close::going_away, "gone", ec);
    auto relay = std::make_shared<Relay>(io_);
    relay->hdl = hdl;
    relay->down.resize(64 * 1024);
    // Bind first so the server can be told, before it accepts, whom this port speaks for.
    relay->tcp.open(target_.protocol(), ec);
    if (!ec) relay->tcp.set_option(asio::ip::tcp::no_delay(true), ec);
    if (!ec) relay->tcp.bind(asio::ip::tcp::endpoint(target_.address(), 0), ec);
    if (!ec) relay->local_port = relay->tcp.local_endpoint(ec).port();
    if (ec) return endpoint_.close(hdl, ws_close::try_again_later, "relay unavailable", ec);
    if (config_.route) config_.route(relay->local_port, remote.address().to_string());
    relays_[hdl] = relay;
    count([](WebBridgeCounters& c) { ++c.connections; });
    relay->tcp.async_connect(target_, [this, relay](const asio::error_code& error) {
      if (relay->closed) return;
      if (error) return close_both(relay, ws_close::try_again_later, "server unavailable");
      relay->connected = true;
      read_server(relay);
      write_server(relay);
    });
  }

  void on_message(Hdl hdl, const Message& msg) {
    const auto it = relays_.find(hdl);
    if (it == relays_.end()) return;
    const RelayPtr& relay = it->second;
    const std::string& payload = msg->get_payload();
    const auto* bytes = reinterpret_cast<const uint8_t*>(payload.data());
    const bool one_packet = msg->get_opcode() == websocketpp::frame::opcode::binary &&
                            payload.size() >= kHeaderBytes &&
                            size_t(length_field(bytes)) + kHeaderBytes == payload.size();
    if (!one_packet) {
      count([](WebBridgeCounters& c) { ++c.refused_framing; });
      return close_both(relay, ws_close::protocol_error, "not one whole ttycall packet");
    }
    count([&](WebBridgeCounters& c) {
      ++c.packets_up;
      c.bytes_up += payload.size();
    });
    relay->push_up(msg);
    if (relay->up_bytes > kQueueHighWater && !relay->paused) {
      asio::error_code ec;
      endpoint_.pause_reading(hdl, ec);
      relay->paused = true;
    }
    write_server(relay);
  }

  void write_server(const RelayPtr& relay) {
    if (!relay->connected || relay->writing || relay->up_count == 0 || relay->closed) return;
    relay->writing = true;
    asio::async_write(relay->tcp, asio::buffer(relay->front_up()->get_payload()),
                      [this, relay](const asio::error_code& error, size_t) {
                        relay->writing = false;
                        if (relay->closed) return;
                        if (error) return close_both(relay, ws_close::going_away, "server closed");
                        relay->pop_up();
                        if (relay->paused && relay->up_bytes < kQueueHighWater / 2) {
                          asio::error_code ec;
                          endpoint_.resume_reading(relay->hdl, ec);
                          relay->paused = false;
                        }
                        write_server(relay);
                      });
  }

  void read_server(const RelayPtr& relay) {
    if (relay->closed) return;
    asio::error_code ec;
    auto con = endpoint_.get_con_from_hdl(relay->hdl, ec);
    if (ec) return close_both(relay, ws_close::going_away, "gone");
    if (con->get_buffered_amount() > kQueueHighWater) {
      // The browser is not keeping up: read nothing more until it does, so the server sees a
      // slow client (and skips its frames) instead of the bridge growing a queue.
      relay->backoff.expires_after(std::chrono::milliseconds(5));
      relay->backoff.async_wait([this, relay](const asio::error_code&) { read_server(relay); });
      return;
    }
    auto free_space = asio::buffer(relay->down.data() + relay->down_used,
                                   relay->down.size() - relay->down_used);
    relay->tcp.async_read_some(free_space, [this, relay](const asio::error_code& error, size_t n) {
      if (relay->closed) return;
      if (error) return close_both(relay, ws_close::normal, "");
      relay->down_used += n;
      if (!forward_packets(relay)) return;
      read_server(relay);
    });
  }

  // Sends every whole packet read so far; false when the relay closed.
  bool forward_packets(const RelayPtr& relay) {
    size_t start = 0;
    asio::error_code ec;
    while (relay->down_used - start >= kHeaderBytes) {
      const size_t size = size_t(length_field(relay->down.data() + start)) + kHeaderBytes;
      if (size > config_.max_downstream_packet) {
        close_both(relay, ws_close::protocol_error, "server packet too large");
        return false;
      }
      if (relay->down_used - start < size) {
        if (size > relay->down.size()) {
          // Only a packet larger than any so far grows the buffer (up to the protocol's limit).
          std::memmove(relay->down.data(), relay->down.data() + start, relay->down_used - start);
          relay->down_used -= start;
          start = 0;
          relay->down.resize(size);
        }
        break;
      }
      endpoint_.send(relay->hdl, relay->down.data() + start, size,
                     websocketpp::frame::opcode::binary, ec);
      if (ec) {
        close_both(relay, ws_close::going_away, "gone");
        return false;
      }
      count([&](WebBridgeCounters& c) {
        ++c.packets_down;
        c.bytes_down += size;
      });
      start += size;
    }
    if (start > 0) {
      std::memmove(relay->down.data(), relay->down.data() + start, relay->down_used - start);
      relay->down_used -= start;
    }
    return true;
  }

  void close_both(const RelayPtr& relay, websocketpp::close::status::value code,
                  const std::string& reason) {
    if (relay->closed) return;
    relay->closed = true;
    asio::error_code ec;
    relay->backoff.cancel();
    relay->tcp.close(ec);
    endpoint_.close(relay->hdl, code, reason, ec);
  }

  void on_gone(Hdl hdl) {
    const auto it = relays_.find(hdl);
    if (it == relays_.end()) return;
    RelayPtr relay = it->second;
    relays_.erase(it);
    relay->closed = true;
    asio::error_code ec;
    relay->backoff.cancel();
    relay->tcp.close(ec);
    if (config_.route) config_.route(relay->local_port, "");
  }

  WebBridgeConfig config_;
  asio::io_context io_{1};
  Endpoint endpoint_;
  asio::ip::tcp::endpoint target_;
  asio::steady_timer stop_timer_{io_};
  std::map<Hdl, RelayPtr, std::owner_less<Hdl>> relays_;  // only the bridge's thread
  std::thread thread_;
  uint16_t port_ = 0;
  mutable std::mutex counters_mutex_;
  WebBridgeCounters counters_;
};

WebBridge::WebBridge(WebBridgeConfig config) : impl_(std::make_unique<Impl>(std::move(config))) {}
WebBridge::~WebBridge() {
  stop();
}
void WebBridge::start() {
  impl_->start();
}
uint16_t WebBridge::port() const {
  return impl_->port();
}
void WebBridge::stop() {
  impl_->stop();
}
WebBridgeCounters WebBridge::counters() const {
  return impl_->counters();
}

}  // namespace ttycall::server::web
