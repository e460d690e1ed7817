#include "server/web/web_connection.h"

#include <fmt/format.h>

#include <cstring>
#include <string_view>

#include "server/web/http_head.h"

namespace ttycall::server::web {
namespace {

constexpr size_t kHeaderBytes = 16;  // a ttycall packet's header
constexpr size_t kInitialBuffer = 64 * 1024;

uint32_t length_field(const uint8_t* header) {
  return uint32_t(header[8]) | uint32_t(header[9]) << 8 | uint32_t(header[10]) << 16 |
         uint32_t(header[11]) << 24;
}

const char* reason_phrase(int status) {
  switch (status) {
    case 101:
      return "Switching Protocols";
    case 200:
      return "OK";
    case 400:
      return "Bad Request";
    case 403:
      return "Forbidden";
    case 404:
      return "Not Found";
    case 405:
      return "Method Not Allowed";
    case 426:
      return "Upgrade Required";
    case 500:
      return "Internal Server Error";
    case 503:
      return "Service Unavailable";
  }
  return "Error";
}

}  // namespace

template <class Stream>
WebConnection<Stream>::WebConnection(Stream browser, const AddressGroup& group,
                                     const WebBridgeConfig& config,
                                     const asio::ip::tcp::endpoint& target,
                                     WebBridgeCounters& counters, std::mutex& counters_mutex)
    : WebPeer(group),
      browser_(std::move(browser)),
      server_(browser_.get_executor()),
      deadline_(browser_.get_executor()),
      config_(config),
      target_(target),
      counters_(counters),
      counters_mutex_(counters_mutex),
      in_(kMaxHttpHead) {}

template <class Stream>
WebConnection<Stream>::~WebConnection() {
  if (relay_port_ != 0 && config_.route) config_.route(relay_port_, "");
}

template <class Stream>
template <class F>
void WebConnection<Stream>::count(F&& change) {
  std::lock_guard lock(counters_mutex_);
  change(counters_);
}

template <class Stream>
void WebConnection<Stream>::start() {
  asio::error_code ec;
  const auto remote = browser_.lowest_layer().remote_endpoint(ec);
  if (ec) return close();
  remote_address_ = remote.address().to_string();
  browser_.lowest_layer().set_option(asio::ip::tcp::no_delay(true), ec);
  // The TLS handshake, the HTTP head, and the upgrade with its relay, must be done within the
  // deadline.
  deadline_.expires_after(std::chrono::milliseconds(config_.handshake_timeout_ms));
  deadline_.async_wait(
      bound(misc_memory_, [self = this->shared_from_this()](const asio::error_code& e) {
        if (!e && !self->relaying_) self->close();
      }));
  handshake();
}

template <class Stream>
void WebConnection<Stream>::handshake() {
  if constexpr (kTls) {
    // A client that does not speak TLS (plain HTTP to this port) fails here and is closed.
    browser_.async_handshake(
        asio::ssl::stream_base::server,
        bound(up_memory_, [self = this->shared_from_this()](const asio::error_code& ec) {
          if (ec || self->closed_) return self->close();
          self->read_head();
        }));
  } else {
    read_head();
  }
}

template <class Stream>
void WebConnection<Stream>::close() {
  if (closed_) return;
  closed_ = true;
  asio::error_code ignored;
  deadline_.cancel();
  browser_.lowest_layer().shutdown(asio::socket_base::shutdown_both, ignored);
  browser_.lowest_layer().close(ignored);
  server_.close(ignored);
}

template <class Stream>
void WebConnection<Stream>::read_head() {
  browser_.async_read_some(
      asio::buffer(in_.data() + in_used_, in_.size() - in_used_),
      bound(up_memory_, [self = this->shared_from_this()](const asio::error_code& ec, size_t n) {
        if (ec || self->closed_) return self->close();
        self->in_used_ += n;
        const std::string_view text(reinterpret_cast<const char*>(self->in_.data()),
                                    self->in_used_);
        const size_t end = http_head_end(text);
        if (end != 0) return self->on_head(end);
        if (self->in_used_ == self->in_.size()) {
          return self->reply(400, "text/plain; charset=utf-8", "request head too large\n");
        }
        self->read_head();
      }));
}

template <class Stream>
void WebConnection<Stream>::on_head(size_t end) {
  const auto head =
      parse_http_head(std::string_view(reinterpret_cast<const char*>(in_.data()), end));
  if (!head) return reply(400, "text/plain; charset=utf-8", "bad request\n");
  if (head->method != "GET") {
    return reply(405, "text/plain; charset=utf-8", "method not allowed\n");
  }
  if (!head->upgrade_websocket) {
    HttpReply r = config_.http ? config_.http(head->target) : HttpReply{};
    return reply(r.status, r.content_type, std::move(r.body));
  }
  if (!config_.allow_origin || !config_.allow_origin(head->origin, head->host)) {
    count([](WebBridgeCounters& c) { ++c.refused_origin; });
    return reply(403, "text/plain; charset=utf-8", "this page's origin may not join\n");
  }
  if (head->websocket_version != "13" || head->websocket_key.size() != 24) {
    return reply(426, "text/plain; charset=utf-8", "WebSocket version 13 only\n",
                 "Sec-WebSocket-Version: 13\r\n");
  }
  // Anything the browser sent after the head (it must wait for 101) is a protocol error.
  if (in_used_ != end) return reply(400, "text/plain; charset=utf-8", "data before upgrade\n");
  in_used_ = 0;
  upgrade(websocket_accept(head->websocket_key));
}

template <class Stream>
void WebConnection<Stream>::reply(int status, const std::string& content_type, std::string body,
                                  const std::string& extra_headers) {
  body_ = std::move(body);
  response_ = fmt::format(
      "HTTP/1.1 {} {}\r\nContent-Type: {}\r\nContent-Length: {}\r\nConnection: close\r\n"
      "Cache-Control: no-store\r\nX-Content-Type-Options: nosniff\r\nReferrer-Policy: "
      "no-referrer\r\nX-Frame-Options: DENY\r\nContent-Security-Policy: default-src 'self'; "
      "script-src 'self' 'unsafe-inline' 'wasm-unsafe-eval'; img-src 'self' blob: data:; "
      "connect-src 'self'; frame-ancestors 'none'\r\n{}\r\n",
      status, reason_phrase(status), content_type, body_.size(), extra_headers);
  const std::array<asio::const_buffer, 2> buffers = {asio::buffer(response_), asio::buffer(body_)};
  asio::async_write(browser_, buffers,
                    bound(misc_memory_, [self = this->shared_from_this()](
                                            const asio::error_code&, size_t) { self->close(); }));
}

template <class Stream>
void WebConnection<Stream>::upgrade(const std::string& accept) {
  // Bind first and tell the routes, so the server knows whom this port speaks for before it
  // accepts the connection.
  asio::error_code ec;
  server_.open(target_.protocol(), ec);
  if (!ec) server_.set_option(asio::ip::tcp::no_delay(true), ec);
  if (!ec) server_.bind(asio::ip::tcp::endpoint(target_.address(), 0), ec);
  if (!ec) relay_port_ = server_.local_endpoint(ec).port();
  if (ec) return reply(503, "text/plain; charset=utf-8", "relay unavailable\n");
  if (config_.route) config_.route(relay_port_, remote_address_);
  server_.async_connect(
      target_,
      bound(misc_memory_, [self = this->shared_from_this(), accept](const asio::error_code& e) {
        if (self->closed_) return;
        if (e) return self->reply(503, "text/plain; charset=utf-8", "server unavailable\n");
        self->relaying_ = true;
        self->deadline_.cancel();  // from here the session's own timeouts apply
        self->count([](WebBridgeCounters& c) { ++c.connections; });
        self->response_ = fmt::format(
            "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
            "Sec-WebSocket-Accept: {}\r\n\r\n",
            accept);
        self->in_.resize(kInitialBuffer);
        self->down_.resize(kInitialBuffer);
        self->writing_browser_ = true;
        asio::async_write(
            self->browser_, asio::buffer(self->response_),
            self->bound(self->down_memory_, [self](const asio::error_code& w, size_t) {
              self->writing_browser_ = false;
              if (w || self->closed_) return self->close();
              self->read_browser();
              self->pump_down();
            }));
      }));
}

// ---- browser -> server ----

template <class Stream>
void WebConnection<Stream>::read_browser() {
  if (closed_ || finishing_ || reading_browser_) return;
  reading_browser_ = true;
  browser_.async_read_some(
      asio::buffer(in_.data() + in_used_, in_.size() - in_used_),
      bound(up_memory_, [self = this->shared_from_this()](const asio::error_code& ec, size_t n) {
        self->reading_browser_ = false;
        if (ec || self->closed_) return self->close();
        if (self->finishing_) return self->drain();
        self->in_used_ += n;
        self->pump_up();
      }));
}

template <class Stream>
void WebConnection<Stream>::finish() {
  if (closed_ || finishing_) return;
  finishing_ = true;
  asio::error_code ignored;
  server_.close(ignored);
  // Over TLS too the TCP half-close: the close frame is the WebSocket's own end, and a TLS
  // close_notify would be a write racing the one that may still be pending.
  browser_.lowest_layer().shutdown(asio::socket_base::shutdown_send, ignored);
  deadline_.expires_after(std::chrono::seconds(2));
  deadline_.async_wait(
      bound(misc_memory_, [self = this->shared_from_this()](const asio::error_code& e) {
        if (!e) self->close();
      }));
  drain();
}

template <class Stream>
void WebConnection<Stream>::drain() {
  if (closed_ || reading_browser_) return;
  reading_browser_ = true;
  in_used_ = 0;
  browser_.async_read_some(
      asio::buffer(in_.data(), in_.size()),
      bound(up_memory_, [self = this->shared_from_this()](const asio::error_code& ec, size_t) {
        self->reading_browser_ = false;
        if (ec || self->closed_) return self->close();  // the browser closed too: done
        self->drain();
      }));
}

template <class Stream>
void WebConnection<Stream>::pump_up() {
  for (;;) {
    WsFrameHeader h;
    const WsParse parsed = parse_client_frame({in_.data(), in_used_}, h);
    if (parsed == WsParse::kBad) return fail(1002);
    if (parsed == WsParse::kNeedMore) {
      if (in_used_ == in_.size()) return fail(1009);  // a header cannot be this long
      return read_browser();
    }
    const uint64_t total = h.header_size + h.length;
    const size_t limit = kMaxServerHeader + 4 + config_.max_upstream_packet;
    if (total > limit) return fail(1009);
    if (in_used_ < total) {
      if (total > in_.size()) in_.resize(size_t(total));  // a packet larger than any before
      return read_browser();
    }
    const std::span<uint8_t> payload(in_.data() + h.header_size, size_t(h.length));
    unmask(payload, h.mask);
    const auto consume = [this, total] {
      std::memmove(in_.data(), in_.data() + total, in_used_ - total);
      in_used_ -= size_t(total);
    };
    switch (h.opcode) {
      case WsOpcode::kBinary: {
        // Exactly one whole packet per message: everything else about it is the session's
        // to judge (magic, version, type, CRC, AEAD), as for a TCP client.
        const bool one_packet =
            h.fin && payload.size() >= kHeaderBytes &&
            size_t(length_field(payload.data())) + kHeaderBytes == payload.size();
        if (!one_packet) {
          count([](WebBridgeCounters& c) { ++c.refused_framing; });
          return fail(1002);
        }
        count([&](WebBridgeCounters& c) {
          ++c.packets_up;
          c.bytes_up += payload.size();
        });
        asio::async_write(server_, asio::buffer(payload.data(), payload.size()),
                          bound(up_memory_, [self = this->shared_from_this(), consume](
                                                const asio::error_code& ec, size_t) {
                            if (self->closed_) return;
                            // The session closed: the browser gets what it sent last (its
                            // Bye) and then a close frame from the downstream side, which
                            // is still reading; nothing more goes up.
                            if (ec) return;
                            consume();
                            self->pump_up();
                          }));
        return;
      }
      case WsOpcode::kPing:
        write_control(WsOpcode::kPong, payload);
        consume();
        continue;
      case WsOpcode::kPong:
        consume();
        continue;
      case WsOpcode::kClose:
        close_after_control_ = true;
        write_control(WsOpcode::kClose, payload.first(std::min<size_t>(payload.size(), 2)));
        return;
      default:  // text, or a fragment: not how the page speaks
        count([](WebBridgeCounters& c) { ++c.refused_framing; });
        return fail(1003);
    }
  }
}

// ---- server -> browser ----

template <class Stream>
void WebConnection<Stream>::read_server() {
  if (closed_ || reading_server_) return;
  reading_server_ = true;
  server_.async_read_some(
      asio::buffer(down_.data() + down_used_, down_.size() - down_used_),
      bound(down_memory_, [self = this->shared_from_this()](const asio::error_code& ec, size_t n) {
        self->reading_server_ = false;
        if (self->closed_) return;
        if (ec) {
          // The session closed: whatever it sent last (its Bye) is out; then a close frame.
          self->close_after_control_ = true;
          const uint8_t normal[2] = {0x03, 0xE8};
          return self->write_control(WsOpcode::kClose, normal);
        }
        self->down_used_ += n;
        self->pump_down();
      }));
}

template <class Stream>
void WebConnection<Stream>::pump_down() {
  if (closed_ || writing_browser_) return;
  if (control_size_ > 0) {
    writing_browser_ = true;
    writing_control_ = true;
    asio::async_write(
        browser_, asio::buffer(control_.data(), control_size_),
        bound(down_memory_, [self = this->shared_from_this()](const asio::error_code& ec, size_t) {
          self->writing_browser_ = false;
          self->writing_control_ = false;
          self->control_size_ = 0;
          if (ec || self->closed_ || self->close_after_control_) return self->close();
          self->pump_down();
        }));
    return;
  }
  if (down_used_ >= kHeaderBytes) {
    const size_t size = size_t(length_field(down_.data())) + kHeaderBytes;
    if (size > config_.max_downstream_packet) return fail(1011);
    if (down_used_ >= size) {
      const size_t header = write_server_header(WsOpcode::kBinary, size, frame_header_);
      const std::array<asio::const_buffer, 2> buffers = {asio::buffer(frame_header_.data(), header),
                                                         asio::buffer(down_.data(), size)};
      count([&](WebBridgeCounters& c) {
        ++c.packets_down;
        c.bytes_down += size;
      });
      writing_browser_ = true;
      asio::async_write(browser_, buffers,
                        bound(down_memory_, [self = this->shared_from_this(), size](
                                                const asio::error_code& ec, size_t) {
                          self->writing_browser_ = false;
                          if (ec || self->closed_) return self->close();
                          std::memmove(self->down_.data(), self->down_.data() + size,
                                       self->down_used_ - size);
                          self->down_used_ -= size;
                          self->pump_down();
                        }));
      return;
    }
    if (size > down_.size()) down_.resize(size);  // a packet larger than any before
  }
  read_server();
}

template <class Stream>
void WebConnection<Stream>::write_control(WsOpcode opcode, std::span<const uint8_t> payload) {
  // One control frame owed at a time is enough: a second ping before the pong is out
  // replaces the first (RFC 6455 allows answering only the latest). One being written stays.
  if (writing_control_) return;
  const size_t header =
      write_server_header(opcode, payload.size(),
                          std::span<uint8_t, kMaxServerHeader>(control_.data(), kMaxServerHeader));
  std::memcpy(control_.data() + header, payload.data(), payload.size());
  control_size_ = header + payload.size();
  pump_down();
}

template <class Stream>
void WebConnection<Stream>::fail(uint16_t close_code) {
  const uint8_t code[2] = {uint8_t(close_code >> 8), uint8_t(close_code)};
  // The relay to the server goes at once: the session sees its client gone.
  asio::error_code ignored;
  server_.close(ignored);
  close_after_control_ = true;
  write_control(WsOpcode::kClose, code);
}

template class WebConnection<PlainStream>;
template class WebConnection<TlsStream>;

}  // namespace ttycall::server::web
