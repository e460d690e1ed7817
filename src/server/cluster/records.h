#pragma once
// What a cluster keeps in its two JetStream key-value buckets, as short text values:
//   nodes bucket, key = node id:  the node's load and how to reach it (put every second)
//   rooms bucket, key = room key: which node hosts the room (the claim, renewed as a lease)
// A room's name may be any valid room name (UTF-8), a bucket key only [-/_=.a-zA-Z0-9], so
// the key is the name in hex. Parsing refuses anything malformed (the buckets are shared).
#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "net/cluster_protocol.h"

namespace ttycall::server::cluster {

struct NodeRecord {
  std::string id;       // node_id(address)
  std::string address;  // advertised HOST:PORT
  std::array<uint8_t, net::kKeyBytes> key{};
  int clients = 0;
  int views = 0;
  int rooms = 0;
  double cpu = 0;  // share of one core used over the last second
  bool draining = false;
};

struct RoomClaim {
  std::string node_id;  // the hosting node (or the one a placing node reserved it for)
  std::string address;
  std::array<uint8_t, net::kKeyBytes> key{};
  int members = 0;
};

// "n" + the address in hex: a valid bucket key that names one advertised address.
std::string node_id(std::string_view address);
// The bucket key of a room: "r" + its name in hex.
std::string room_key(std::string_view room_name);
// The room name back from room_key(); nullopt when `key` is not one.
std::optional<std::string> room_name_of_key(std::string_view key);

std::string encode(const NodeRecord& node);
std::optional<NodeRecord> decode_node(std::string_view text);
std::string encode(const RoomClaim& claim);
std::optional<RoomClaim> decode_claim(std::string_view text);

// The address and key as a client reaches the node.
net::NodeAddress node_address(const std::string& address,
                              const std::array<uint8_t, net::kKeyBytes>& key);

}  // namespace ttycall::server::cluster
