#pragma once
// The WebSocket side of `ttycall server --web`: an HTTP + WebSocket listener on a thread of
// its own that relays each accepted WebSocket to the server's own TCP listener on loopback
// (one WebConnection each, web_connection.h). A browser thereby reaches the very same
// Session code as a terminal client: the same key exchange, sealing, limits and timeouts.
//
// Framing: each binary WebSocket message carries exactly one whole ttycall packet, both ways.
// The bridge checks no more than that (16 header bytes, then the header's length): every
// other check (magic, version, type, CRC, AEAD) is the session's, so a tampered frame is
// refused exactly as a tampered TCP packet is, with a Bye the page receives.
#include <asio.hpp>
#include <asio/ssl/context.hpp>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "server/address_group.h"

namespace ttycall::server::web {

class WebPeer;

struct HttpReply {
  int status = 404;
  std::string content_type = "text/plain; charset=utf-8";
  std::string body = "not found\n";
};

struct WebBridgeConfig {
  std::string listen_host;  // what --web names
  uint16_t listen_port = 0;
  asio::ip::tcp::endpoint target;    // the server's TCP listener, reached on loopback
  size_t max_connections = 64;       // open browser connections, HTTP or WebSocket
  size_t max_per_address = 8;        // of them from one address group (address_group.h)
  long handshake_timeout_ms = 5000;  // the HTTP head and the upgrade must be done within it
  size_t max_upstream_packet = 0;    // largest packet a browser may send (header included)
  size_t max_downstream_packet = 0;  // largest packet the server sends
  // Answers a plain HTTP GET for `target` (the request target, query included).
  std::function<HttpReply(const std::string& target)> http;
  // Whether a WebSocket upgrade from `origin` for `host` (the Host header) may open.
  std::function<bool(const std::string& origin, const std::string& host)> allow_origin;
  // Told before the relay connects from loopback port `local_port` on behalf of the browser
  // at `remote_address`, and again (`remote_address` empty) once that port is closed.
  std::function<void(uint16_t local_port, const std::string& remote_address)> route;
  // With a context (--web-tls-cert): every connection speaks TLS first (https://, wss://).
  std::shared_ptr<asio::ssl::context> tls;
};

// What the bridge carried (for the tests).
struct WebBridgeCounters {
  uint64_t connections = 0;  // upgraded to a relay
  uint64_t refused_origin = 0;
  uint64_t refused_framing = 0;
  uint64_t packets_up = 0;
  uint64_t packets_down = 0;
  uint64_t bytes_up = 0;
  uint64_t bytes_down = 0;
};

class WebBridge {
 public:
  explicit WebBridge(WebBridgeConfig config);
  ~WebBridge();
  WebBridge(const WebBridge&) = delete;
  WebBridge& operator=(const WebBridge&) = delete;

  // Binds and starts the bridge's thread. Throws std::runtime_error with a clear message.
  void start();
  uint16_t port() const { return port_; }
  // Closes the listener and every connection; joins the thread. Idempotent.
  void stop();
  WebBridgeCounters counters() const;

 private:
  void accept();
  // Builds and starts the connection of an accepted browser.
  template <class Stream>
  void admit(Stream browser, const AddressGroup& group);

  WebBridgeConfig config_;
  asio::io_context io_{1};
  asio::ip::tcp::acceptor acceptor_{io_};
  std::vector<std::weak_ptr<WebPeer>> connections_;  // only the bridge's thread
  std::thread thread_;
  uint16_t port_ = 0;
  mutable std::mutex counters_mutex_;
  WebBridgeCounters counters_;
};

}  // namespace ttycall::server::web
