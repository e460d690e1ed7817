#pragma once
// One browser's connection to the web endpoint. First HTTP: a GET is answered (a file of the
// page, web_assets.h) and the connection closed; a WebSocket upgrade from an allowed origin
// connects a relay socket to the server's own TCP listener, then carries packets both ways:
// each binary WebSocket message holds exactly one ttycall packet.
//
// Memory: the buffers are sized at the upgrade and grow only for a packet larger than any
// before (a new view size); handlers use the connection's own HandlerMemory. So a browser in
// a call costs the server no heap allocation per packet, like a TCP client.
//
// Flow control by construction: a browser's frame is read, then written to the server, and
// only then is the next one read; a packet from the server is written to the browser before
// more is read from the server. A slow browser therefore looks to the session like a slow
// TCP client (its frames are skipped, never queued).
//
// The browser's side is a plain TCP socket or, with --web-tls-cert, a TLS stream over one:
// one class for both (`Stream`), the TLS handshake first and under the same deadline as the
// HTTP head. OpenSSL's record buffers are its own (allocated at the handshake).
#include <array>
#include <asio.hpp>
#include <asio/ssl.hpp>
#include <cstdint>
#include <memory>
#include <string>
#include <type_traits>
#include <vector>

#include "core/handler_memory.h"
#include "server/address_group.h"
#include "server/web/web_bridge.h"
#include "server/web/websocket_frame.h"

namespace ttycall::server::web {

using PlainStream = asio::ip::tcp::socket;
using TlsStream = asio::ssl::stream<asio::ip::tcp::socket>;

// What the bridge keeps of a connection, whichever its stream.
class WebPeer {
 public:
  explicit WebPeer(const AddressGroup& group) : group_(group) {}
  virtual ~WebPeer() = default;
  const AddressGroup& group() const { return group_; }
  // Closes both sockets (the server stopping); handlers still pending find it closed.
  virtual void close() = 0;

 private:
  AddressGroup group_;
};

template <class Stream>
class WebConnection final : public WebPeer,
                            public std::enable_shared_from_this<WebConnection<Stream>> {
 public:
  // `group`: the browser's address group (the bridge caps connections per group).
  WebConnection(Stream browser, const AddressGroup& group, const WebBridgeConfig& config,
                const asio::ip::tcp::endpoint& target, WebBridgeCounters& counters,
                std::mutex& counters_mutex);
  ~WebConnection() override;
  void start();
  void close() override;

 private:
  static constexpr bool kTls = std::is_same_v<Stream, TlsStream>;

  template <class F>
  auto bound(core::HandlerMemory& memory, F&& handler) {
    return asio::bind_allocator(core::HandlerAllocator<int>(memory), std::forward<F>(handler));
  }
  template <class F>
  void count(F&& change);

  // HTTP (after the TLS handshake, if any)
  void handshake();
  void read_head();
  void on_head(size_t end);
  void reply(int status, const std::string& content_type, std::string body,
             const std::string& extra_headers = "");
  void upgrade(const std::string& key);
  // The relay, once upgraded.
  void read_browser();
  void pump_up();
  void read_server();
  void pump_down();
  void write_control(WsOpcode opcode, std::span<const uint8_t> payload);
  void fail(uint16_t close_code);
  // After the close frame: the closing handshake. What the browser still sends is read and
  // dropped until it closes (or a deadline), since closing over unread bytes would reset
  // the connection, and the reset can overtake the close frame and the session's Bye.
  void finish();
  void drain();

  Stream browser_;
  asio::ip::tcp::socket server_;
  asio::steady_timer deadline_;
  const WebBridgeConfig& config_;
  asio::ip::tcp::endpoint target_;
  WebBridgeCounters& counters_;
  std::mutex& counters_mutex_;
  core::HandlerMemory up_memory_;    // browser reads, server writes
  core::HandlerMemory down_memory_;  // server reads, browser writes
  core::HandlerMemory misc_memory_;  // connect, timer, HTTP
  std::string remote_address_;
  uint16_t relay_port_ = 0;
  bool closed_ = false;
  bool relaying_ = false;

  std::vector<uint8_t> in_;  // from the browser: the HTTP head, then frames
  size_t in_used_ = 0;
  std::vector<uint8_t> down_;  // from the server: packets
  size_t down_used_ = 0;
  bool reading_server_ = false;
  bool reading_browser_ = false;
  bool finishing_ = false;
  bool writing_browser_ = false;
  std::array<uint8_t, kMaxServerHeader> frame_header_{};
  // A pong or close owed to the browser, sent when the current frame is out.
  std::array<uint8_t, kMaxServerHeader + 125> control_{};
  size_t control_size_ = 0;
  bool close_after_control_ = false;
  bool writing_control_ = false;
  std::string response_;  // an HTTP reply's head being written
  std::string body_;      // and its body
};

}  // namespace ttycall::server::web
