#include "server/web/web_routes.h"

#include <algorithm>

namespace ttycall::server::web {

void WebRoutes::route(uint16_t local_port, const std::string& remote_address) {
  std::lock_guard lock(mutex_);
  std::erase_if(routes_, [&](const Route& r) { return r.port == local_port; });
  if (remote_address.empty()) return;
  asio::error_code ec;
  const asio::ip::address address = asio::ip::make_address(remote_address, ec);
  if (!ec) routes_.push_back({local_port, group_of(address)});
}

std::optional<AddressGroup> WebRoutes::claim(const asio::ip::tcp::endpoint& remote) {
  if (remote.address() != relay_address_) return std::nullopt;
  std::lock_guard lock(mutex_);
  const auto it = std::find_if(routes_.begin(), routes_.end(),
                               [&](const Route& r) { return r.port == remote.port(); });
  if (it == routes_.end()) return std::nullopt;
  const AddressGroup group = it->group;
  routes_.erase(it);
  return group;
}

}  // namespace ttycall::server::web
