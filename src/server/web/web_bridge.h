#pragma once
// The WebSocket side of `ttycall server --web`: an HTTP + WebSocket listener (websocketpp on
// standalone Asio, on a thread of its own) that relays each accepted WebSocket, byte for byte,
// to the server's own TCP listener on loopback. A browser thereby reaches the very same
// Session code as a terminal client: the same key exchange, sealing, limits and timeouts.
//
// Framing: each binary WebSocket message carries exactly one whole ttycall packet, both ways.
// The bridge checks no more than that (16 header bytes, then the header's length): every
// other check (magic, version, type, CRC, AEAD) is the session's, so a tampered frame is
// refused exactly as a tampered TCP packet is, with a Bye the page receives.
//
// This header is C++17 and names no Asio or websocketpp type: websocketpp 0.8 neither
// builds as C++20 nor with ASIO_NO_DEPRECATED, so its translation unit is built apart
// (src/CMakeLists.txt) and shares only plain types with the rest of the server.
#include <cstdint>
#include <functional>
#include <memory>
#include <string>

namespace ttycall::server::web {

struct HttpReply {
  int status = 404;
  std::string content_type = "text/plain; charset=utf-8";
  std::string body = "not found\n";
};

struct WebBridgeConfig {
  std::string listen_host;  // what --web names
  uint16_t listen_port = 0;
  std::string target_host;  // the server's TCP listener, reached on loopback
  uint16_t target_port = 0;
  size_t max_connections = 64;      // open WebSockets and HTTP requests together
  long handshake_timeout_ms = 5000;  // the HTTP upgrade must finish within it
  size_t max_upstream_packet = 0;    // largest packet a browser may send (header included)
  size_t max_downstream_packet = 0;  // largest packet the server sends
  // Answers a plain HTTP GET for `path` (the request target, query included).
  std::function<HttpReply(const std::string& path)> http;
  // Whether a WebSocket upgrade from `origin` for `host` (the Host header) may open.
  std::function<bool(const std::string& origin, const std::string& host)> allow_origin;
  // Told before the relay connects from loopback port `local_port` on behalf of the browser
  // at `remote_address`, and again (`remote_address` empty) once that port is closed.
  std::function<void(uint16_t local_port, const std::string& remote_address)> route;
  // Runs the bridge's thread body (`run`), e.g. under an allocation site; null: runs it.
  std::function<void(const std::function<void()>& run)> run_thread;
};

// Bytes and packets the bridge carried (for the stats and the tests).
struct WebBridgeCounters {
  uint64_t connections = 0;
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
  uint16_t port() const;
  // Closes the listener and every relay; joins the thread. Idempotent.
  void stop();
  WebBridgeCounters counters() const;

 private:
  class Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace ttycall::server::web
