#include "client/server_address.h"

#include <algorithm>
#include <charconv>

#include "core/utf8.h"
#include "net/protocol.h"

namespace ttycall::client {
namespace {

core::Status bad(std::string_view text, std::string_view why) {
  return core::Status::invalid_input(
      "'" + core::utf8::printable(text) +
      "' is not a server address (HOST[:PORT][/ROOM]): " + std::string(why));
}

}  // namespace

core::Result<ServerAddress> parse_server_address(std::string_view text) {
  ServerAddress address;
  std::string_view where = text;
  if (const size_t slash = text.find('/'); slash != std::string_view::npos) {
    where = text.substr(0, slash);
    address.room = text.substr(slash + 1);
    if (!address.room.empty() && !net::is_valid_room_name(address.room)) {
      return bad(text,
                 "a room name is 1-32 bytes of UTF-8 without control, format or bidi characters");
    }
  }
  std::string_view port_text;
  if (!where.empty() && where.front() == '[') {
    const size_t close = where.find(']');
    if (close == std::string_view::npos) return bad(text, "an IPv6 address without its ']'");
    address.host = where.substr(1, close - 1);
    const std::string_view after = where.substr(close + 1);
    if (!after.empty()) {
      if (after.front() != ':') return bad(text, "expected ':PORT' after ']'");
      port_text = after.substr(1);
      if (port_text.empty()) return bad(text, "an empty port");
    }
  } else if (std::count(where.begin(), where.end(), ':') == 1) {
    const size_t colon = where.find(':');
    address.host = where.substr(0, colon);
    port_text = where.substr(colon + 1);
    if (port_text.empty()) return bad(text, "an empty port");
  } else {
    address.host = where;  // a name, IPv4, or IPv6 without a port
  }
  if (address.host.empty()) return bad(text, "no host");
  if (!port_text.empty()) {
    unsigned port = 0;
    const auto [end, ec] =
        std::from_chars(port_text.data(), port_text.data() + port_text.size(), port);
    if (ec != std::errc() || end != port_text.data() + port_text.size() || port == 0 ||
        port > 65535) {
      return bad(text, "the port must be a number from 1 to 65535");
    }
    address.port = uint16_t(port);
  }
  return address;
}

}  // namespace ttycall::client
