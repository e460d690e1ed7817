#pragma once
// `ttycall rooms`: asks a server which rooms it has, over the same handshake as a call
// (the key exchange, the server's key checked against known_hosts or --server-key, Auth
// with the server password if it needs one), then ListRooms instead of Hello. The server
// answers with the list, or refuses (Bye) when it does not list its rooms.
#include "client/client_options.h"
#include "core/status.h"
#include "net/protocol.h"

namespace ttycall::client {

// The server's room list, or why there is none (unreachable, refused, a changed key).
// Gives up after `timeout_seconds`.
core::Result<net::RoomList> list_rooms(const ClientOptions& options, double timeout_seconds = 10);

}  // namespace ttycall::client
