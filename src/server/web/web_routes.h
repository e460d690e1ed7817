#pragma once
// Which browser each of the web bridge's loopback connections speaks for. The bridge binds
// its relay socket, tells the routes (port -> the browser's address) and only then
// connects, so when the server accepts that connection it finds the browser's address here
// and applies the per-address admission to it, not to loopback. A route is claimed once:
// nobody else can connect from a port the bridge holds bound.
//
// Thread-safe (the bridge's thread adds and drops, the acceptor claims); touched only at
// connect and close, never per packet.
#include <asio/ip/tcp.hpp>
#include <cstdint>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "server/address_group.h"

namespace ttycall::server::web {

class WebRoutes {
 public:
  // `relay_address` is where the bridge's relays connect from (its target's address).
  explicit WebRoutes(asio::ip::address relay_address) : relay_address_(relay_address) {}

  // `remote_address` empty: the port is closed (its route, if unclaimed, goes).
  void route(uint16_t local_port, const std::string& remote_address);
  // The browser's address group if `remote` is one of the bridge's relays.
  std::optional<AddressGroup> claim(const asio::ip::tcp::endpoint& remote);

 private:
  struct Route {
    uint16_t port = 0;
    AddressGroup group{};
  };
  asio::ip::address relay_address_;
  std::mutex mutex_;
  std::vector<Route> routes_;
};

}  // namespace ttycall::server::web
