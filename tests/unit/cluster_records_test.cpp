// The cluster's bucket values and keys (server/cluster/records.h), its placement rule
// (placement.h) and its wire messages (net/cluster_protocol.h).
#include <gtest/gtest.h>

#include <vector>

#include "net/cluster_protocol.h"
#include "server/cluster/placement.h"
#include "server/cluster/records.h"

namespace ttycall::server::cluster {
namespace {

NodeRecord node(const std::string& address, int clients = 0) {
  NodeRecord n;
  n.address = address;
  n.id = node_id(address);
  n.key[0] = 7;
  n.clients = clients;
  return n;
}

TEST(ClusterRecords, NodeRecordRoundTrips) {
  NodeRecord n = node("10.0.0.5:27224", 12);
  n.views = 3;
  n.rooms = 2;
  n.cpu = 0.25;
  n.draining = true;
  const std::optional<NodeRecord> back = decode_node(encode(n));
  ASSERT_TRUE(back);
  EXPECT_EQ(back->id, n.id);
  EXPECT_EQ(back->address, n.address);
  EXPECT_EQ(back->key, n.key);
  EXPECT_EQ(back->clients, 12);
  EXPECT_EQ(back->views, 3);
  EXPECT_EQ(back->rooms, 2);
  EXPECT_DOUBLE_EQ(back->cpu, 0.25);
  EXPECT_TRUE(back->draining);
}

TEST(ClusterRecords, MalformedValuesAreRefused) {
  const std::string good = encode(node("10.0.0.5:1"));
  EXPECT_TRUE(decode_node(good));
  EXPECT_FALSE(decode_node(""));
  EXPECT_FALSE(decode_node(good + " extra"));
  EXPECT_FALSE(decode_node(good.substr(0, good.size() - 2)));
  // An id that is not the address's.
  std::string wrong = good;
  wrong.replace(wrong.find(" n") + 2, 2, "ff");
  EXPECT_FALSE(decode_node(wrong));
  RoomClaim claim{node_id("h:1"), "h:1", {}, 2};
  EXPECT_TRUE(decode_claim(encode(claim)));
  claim.address = "bad address";
  EXPECT_FALSE(decode_claim(encode(claim)));
}

TEST(ClusterRecords, RoomKeysAreBucketKeysAndRoundTrip) {
  const std::string key = room_key("stand-up ☕");
  for (char c : key) EXPECT_TRUE(std::isalnum(static_cast<unsigned char>(c))) << key;
  EXPECT_EQ(room_name_of_key(key), "stand-up ☕");
  EXPECT_FALSE(room_name_of_key("x00"));
  EXPECT_FALSE(room_name_of_key("r0"));
  EXPECT_FALSE(room_name_of_key("r0a"));  // a control character is no room name
}

TEST(ClusterPlacement, LeastRoomsThenClientsThenId) {
  const NodeRecord a = node("a:1", 5), b = node("b:1", 1), c = node("c:1", 0);
  std::vector<NodeLoad> loads = {{&a, 1}, {&b, 1}, {&c, 2}};
  EXPECT_EQ(least_loaded(loads), 1);  // b: as few rooms as a, fewer clients
  loads[0].rooms = 0;
  EXPECT_EQ(least_loaded(loads), 0);
  loads[0].node = nullptr;  // gone
  EXPECT_EQ(least_loaded(loads), 1);
}

TEST(ClusterPlacement, ADrainingNodeTakesNoRoom) {
  NodeRecord a = node("a:1");
  a.draining = true;
  std::vector<NodeLoad> loads = {{&a, 0}};
  EXPECT_EQ(least_loaded(loads), -1);
  const NodeRecord b = node("b:1", 50);
  loads.push_back({&b, 9});
  EXPECT_EQ(least_loaded(loads), 1);
}

TEST(ClusterProtocol, MessagesRoundTrip) {
  net::Redirect redirect;
  ASSERT_TRUE(redirect.node.set("[::1]:27224"));
  redirect.node.key[31] = 9;
  std::array<uint8_t, net::kMaxControlPacket> buffer;
  size_t n = net::encode(redirect, buffer);
  ASSERT_GT(n, 0u);
  EXPECT_LE(n, net::max_payload(net::MsgType::kRedirect));
  net::Redirect back;
  ASSERT_TRUE(net::decode({buffer.data(), n}, back));
  EXPECT_EQ(back.node.view(), "[::1]:27224");
  EXPECT_EQ(back.node.key, redirect.node.key);
  EXPECT_FALSE(net::decode({buffer.data(), n - 1}, back));

  net::ClusterNodes nodes;
  nodes.count = net::kMaxClusterNodes;
  for (auto& node : nodes.nodes) node.set("node-with-a-long-name.example.org:65535");
  n = net::encode(nodes, buffer);
  ASSERT_GT(n, 0u);
  EXPECT_LE(n, net::max_payload(net::MsgType::kClusterNodes));
  net::ClusterNodes nodes_back;
  ASSERT_TRUE(net::decode({buffer.data(), n}, nodes_back));
  EXPECT_EQ(nodes_back.count, net::kMaxClusterNodes);

  net::ClusterRoomList list;
  list.total = list.count = net::kMaxListedClusterRooms;
  for (auto& room : list.rooms) {
    room.members = 3;
    room.name = net::Name::from("abcdefghijklmnopqrstuvwxyz012345");
    const std::string address(net::kMaxNodeAddressBytes, 'h');
    room.address_len = uint8_t(address.size());
    std::copy(address.begin(), address.end(), room.address.begin());
  }
  n = net::encode(list, buffer);
  ASSERT_GT(n, 0u);
  EXPECT_EQ(n, net::max_payload(net::MsgType::kClusterRoomList));
  net::ClusterRoomList list_back;
  ASSERT_TRUE(net::decode({buffer.data(), n}, list_back));
  EXPECT_EQ(list_back.rooms[27].address_view(), std::string(net::kMaxNodeAddressBytes, 'h'));
}

TEST(ClusterProtocol, AddressesWithOtherCharactersAreRefused) {
  net::NodeAddress node;
  EXPECT_FALSE(node.set(""));
  EXPECT_FALSE(node.set("host name:1"));
  EXPECT_FALSE(node.set("host\x1b[2J:1"));
  EXPECT_FALSE(node.set(std::string(net::kMaxNodeAddressBytes + 1, 'h')));
  std::array<uint8_t, 8> evil = {5, 'a', '\n', 'b', ':', '1'};
  net::Redirect redirect;
  EXPECT_FALSE(net::decode(evil, redirect));
}

}  // namespace
}  // namespace ttycall::server::cluster
