// The client's list of servers (client/host_list.h): --host a,b:9000 and what a cluster adds.
#include <gtest/gtest.h>

#include "client/host_list.h"

namespace ttycall::client {
namespace {

TEST(HostList, ParsesACommaSeparatedList) {
  core::Result<HostList> list = HostList::parse("a,b:9000,[::1]:7", 27224);
  ASSERT_TRUE(list.is_ok()) << list.status().message();
  EXPECT_EQ(list->size(), 3u);
  EXPECT_EQ(list->current().host, "a");
  EXPECT_EQ(list->current().port, 27224);
  list->advance();
  EXPECT_EQ(list->current().host, "b");
  EXPECT_EQ(list->current().port, 9000);
  list->advance();
  EXPECT_EQ(list->current().host, "::1");
  list->advance();
  EXPECT_EQ(list->current().host, "a");
}

TEST(HostList, RefusesEmptyEntriesAndBadPorts) {
  EXPECT_FALSE(HostList::parse("", 1).is_ok());
  EXPECT_FALSE(HostList::parse("a,,b", 1).is_ok());
  EXPECT_FALSE(HostList::parse("a,", 1).is_ok());
  EXPECT_FALSE(HostList::parse("a:0", 1).is_ok());
  EXPECT_FALSE(HostList::parse("a:99999", 1).is_ok());
}

TEST(HostList, ARedirectBecomesCurrentWithItsKey) {
  HostList list = *HostList::parse("entry:1", 1);
  net::NodeAddress node;
  ASSERT_TRUE(node.set("10.0.0.6:27224"));
  node.key[0] = 42;
  list.redirect_to(node);
  EXPECT_EQ(list.current().host, "10.0.0.6");
  EXPECT_EQ(list.current().port, 27224);
  ASSERT_TRUE(list.current().vouched);
  EXPECT_EQ(list.current().vouched->bytes[0], 42);
  EXPECT_EQ(list.size(), 2u);
  list.redirect_to(node);  // known: not added twice
  EXPECT_EQ(list.size(), 2u);
}

TEST(HostList, LearnedNodesAreTriedInTurn) {
  HostList list = *HostList::parse("a:1", 1);
  net::ClusterNodes nodes;
  nodes.count = 2;
  nodes.nodes[0].set("b:2");
  nodes.nodes[1].set("a:1");  // the entry itself: its key is noted, no second entry
  nodes.nodes[1].key[0] = 1;
  list.learn(nodes);
  EXPECT_EQ(list.size(), 2u);
  EXPECT_EQ(list.current().host, "a");
  EXPECT_TRUE(list.current().vouched);
  list.advance();
  EXPECT_EQ(list.current().host, "b");
  EXPECT_FALSE(list.current().vouched);  // an all-zero key: an --insecure cluster
}

}  // namespace
}  // namespace ttycall::client
