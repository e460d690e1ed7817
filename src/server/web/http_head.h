#pragma once
// The head of an HTTP/1.1 request as the web endpoint reads it: the request line and the
// few headers it acts on (Host, Origin, and the WebSocket upgrade's). Anything it does not
// understand is refused, never guessed at.
#include <optional>
#include <string>
#include <string_view>

namespace ttycall::server::web {

constexpr size_t kMaxHttpHead = 8192;

struct HttpHead {
  std::string method;
  std::string target;
  std::string host;
  std::string origin;
  bool upgrade_websocket = false;  // Upgrade: websocket and Connection: ... upgrade
  std::string websocket_key;       // Sec-WebSocket-Key
  std::string websocket_version;   // Sec-WebSocket-Version
};

// Where the head ends (just past the blank line) in `bytes`, or 0 if it has not yet.
size_t http_head_end(std::string_view bytes);
// The head of `text` (everything up to the blank line); nullopt if it is malformed.
std::optional<HttpHead> parse_http_head(std::string_view text);
// `text` with A-Z made a-z (header names, origins and hosts compare without case).
std::string ascii_lower(std::string_view text);
// Sec-WebSocket-Accept for a key: base64(SHA-1(key + the RFC 6455 GUID)).
std::string websocket_accept(std::string_view key);

}  // namespace ttycall::server::web
