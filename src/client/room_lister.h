#pragma once
// `ttycall rooms`: asks a server which rooms it has, over the same handshake as a call
// (the key exchange, the server's key checked against known_hosts or --server-key, Auth
// with the server password if it needs one), then ListRooms instead of Hello. The server
// answers with the list, or refuses (Bye) when it does not list its rooms.
#include <string>
#include <vector>

#include "client/client_options.h"
#include "core/status.h"
#include "net/protocol.h"

namespace ttycall::client {

struct ListedRoom {
  std::string name;  // passed the room name rules
  int members = 0;
  std::string node;  // a cluster's: the hosting node's advertised address; else empty
};
struct RoomListing {
  std::vector<ListedRoom> rooms;  // largest first
  size_t total = 0;               // more than rooms.size() when the list was cut
};

// The server's room list (a clustered server's: the whole cluster's, each room with its
// node), or why there is none (unreachable, refused, a changed key). Gives up after
// `timeout_seconds`.
core::Result<RoomListing> list_rooms(const ClientOptions& options, double timeout_seconds = 10);

}  // namespace ttycall::client
