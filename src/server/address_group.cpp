#include "server/address_group.h"

#include <algorithm>

namespace ttycall::server {

AddressGroup group_of(const asio::ip::address& address) {
  if (address.is_v4()) {
    return asio::ip::make_address_v6(asio::ip::v4_mapped, address.to_v4()).to_bytes();
  }
  const asio::ip::address_v6 v6 = address.to_v6();
  if (v6.is_v4_mapped()) return v6.to_bytes();
  AddressGroup group = v6.to_bytes();
  std::fill(group.begin() + 8, group.end(), uint8_t(0));
  return group;
}

std::string to_string(const AddressGroup& group) {
  const asio::ip::address_v6 v6(group);
  if (v6.is_v4_mapped()) return asio::ip::make_address_v4(asio::ip::v4_mapped, v6).to_string();
  return v6.to_string() + "/64";
}

}  // namespace ttycall::server
