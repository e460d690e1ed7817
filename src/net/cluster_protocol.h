#pragma once
// The messages of a cluster of servers (0x40-0x4F; docs/PROTOCOL.md, docs/CLUSTER.md).
// Like every message after the key exchange they travel sealed, so only a node the client
// authenticated can redirect it or name other nodes to it.
//   Redirect         s->c  instead of Welcome: the room is hosted by this node, whose key
//                          the client trusts because this authenticated node vouches for it
//   ClusterNodes     s->c  after Welcome: the cluster's other nodes, where a reconnect goes
//   ClusterRoomList  s->c  the answer to ListRooms: every room of the cluster and its node
// Codecs as in protocol.h: caller buffers, fixed structs, nothing allocates.
#include <array>
#include <cstdint>
#include <span>
#include <string_view>

#include "net/protocol.h"

namespace ttycall::net {

// A node as clients reach it: its advertised HOST:PORT (1-kMaxNodeAddressBytes bytes of
// letters, digits and . - : [ ]) and its identity (all zero: an --insecure cluster).
struct NodeAddress {
  uint8_t len = 0;
  std::array<char, kMaxNodeAddressBytes> bytes{};
  std::array<uint8_t, kKeyBytes> key{};
  std::string_view view() const { return {bytes.data(), len}; }
  // False (and nothing set) when `text` is not a valid address.
  bool set(std::string_view text);
};
bool is_valid_node_address(std::string_view text);

struct Redirect {
  NodeAddress node;
};

struct ClusterNodes {
  uint8_t count = 0;
  std::array<NodeAddress, kMaxClusterNodes> nodes{};
};

struct ClusterRoomInfo {
  uint16_t members = 0;
  Name name;
  uint8_t address_len = 0;  // the hosting node's advertised address
  std::array<char, kMaxNodeAddressBytes> address{};
  std::string_view address_view() const { return {address.data(), address_len}; }
};
struct ClusterRoomList {
  uint16_t total = 0;  // rooms in the cluster; more than `count` when the list was cut
  uint16_t count = 0;
  std::array<ClusterRoomInfo, kMaxListedClusterRooms> rooms{};
};

// None of them makes a connection's control slots larger than they are.
static_assert(max_payload(MsgType::kClusterRoomList) <= max_payload(MsgType::kParticipants));

size_t encode(const Redirect& msg, std::span<uint8_t> out);
size_t encode(const ClusterNodes& msg, std::span<uint8_t> out);
size_t encode(const ClusterRoomList& msg, std::span<uint8_t> out);
bool decode(std::span<const uint8_t> in, Redirect& out);
bool decode(std::span<const uint8_t> in, ClusterNodes& out);
bool decode(std::span<const uint8_t> in, ClusterRoomList& out);

}  // namespace ttycall::net
