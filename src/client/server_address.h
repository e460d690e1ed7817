#pragma once
// The address a user gives `ttycall client` and `ttycall rooms`: HOST[:PORT][/ROOM], where
// HOST may be a name, an IPv4 address, or an IPv6 address (in brackets when a port
// follows: [::1]:27224/standup). The room is everything after the first '/'.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "core/status.h"

namespace ttycall::client {

struct ServerAddress {
  std::string host;
  std::optional<uint16_t> port;  // none: the default port
  std::string room;              // empty: the server's default room
};

// The address, or why it is not one (a bad port, an empty host, a room name the rules
// refuse: net::is_valid_room_name).
core::Result<ServerAddress> parse_server_address(std::string_view text);

}  // namespace ttycall::client
