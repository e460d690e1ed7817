#pragma once
// The unit the server's per-address limits count by: an IPv4 address by itself, an IPv6
// address by its /64 (one host or one home network usually holds a whole /64, so counting
// single IPv6 addresses would give an attacker 2^64 of them). IPv4-mapped IPv6 addresses
// (a dual-stack socket's view of an IPv4 client) count as that IPv4 address.
#include <array>
#include <asio/ip/address.hpp>
#include <cstdint>
#include <string>

namespace ttycall::server {

// 16 bytes: IPv4 as ::ffff:a.b.c.d, IPv6 with its last 64 bits zero.
using AddressGroup = std::array<uint8_t, 16>;

AddressGroup group_of(const asio::ip::address& address);
// For logs: "192.0.2.7" or "2001:db8:1:2::/64".
std::string to_string(const AddressGroup& group);

}  // namespace ttycall::server
