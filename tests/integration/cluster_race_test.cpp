// Two cluster nodes receive the first join of the same new room at the same moment, 50
// times over (each time a new room): never two hosts. The nodes are this process's own
// ClusterNodes (the real placement code over a real nats-server), so both placements can
// start at one instant, which two client processes could not arrange.
#include <gtest/gtest.h>

#include <array>
#include <barrier>
#include <chrono>
#include <future>
#include <memory>
#include <string>
#include <thread>

#include "cluster_nats.h"
#include "server/cluster/cluster_node.h"
#include "server/render_workers.h"
#include "server/room_directory.h"
#include "server/server_context.h"
#include "temp_dir.h"
#include "wait_until.h"

namespace ttycall::itest {
namespace {

using namespace std::chrono_literals;
using server::cluster::Placement;

// A node without a listening server: placement only needs its directory and NATS.
struct TestNode {
  TestNode(const NatsServer& nats, const std::string& address)
      : context(options()), workers(0), rooms(context, workers) {
    server::cluster::NatsLinkConfig config;
    config.url = nats.url();
    config.cluster_name = "race";
    node = std::make_unique<server::cluster::ClusterNode>(
        config, address, std::array<uint8_t, 32>{1}, rooms, context.counters);
  }
  static server::ServerOptions options() {
    server::ServerOptions o;
    o.insecure = true;
    return o;
  }
  server::ServerContext context;
  server::RenderWorkers workers;
  server::RoomDirectory rooms;
  std::unique_ptr<server::cluster::ClusterNode> node;
};

// The node a placement names as the room's host.
std::string host_named(const Placement& p, const std::string& self) {
  switch (p.kind) {
    case Placement::Kind::kHere:
      return self;
    case Placement::Kind::kElsewhere:
      return std::string(p.node.view());
    case Placement::Kind::kUnavailable:
      return "(unavailable)";
  }
  return "";
}

TEST(ClusterRace, SimultaneousFirstJoinsNeverMakeTwoHosts) {
  if (!nats_server_available()) GTEST_SKIP() << "nats-server is not installed (make deps)";
  TempDir dir;
  NatsServer nats(dir.path());
  const std::array<std::string, 2> addresses = {"127.0.0.1:1001", "127.0.0.1:1002"};
  TestNode a(nats, addresses[0]), b(nats, addresses[1]);
  ASSERT_TRUE(a.node->start().is_ok());
  ASSERT_TRUE(b.node->start().is_ok());
  ASSERT_TRUE(wait_until(
      [&] {
        net::ClusterNodes seen_a, seen_b;
        a.node->other_nodes(seen_a);
        b.node->other_nodes(seen_b);
        return seen_a.count == 1 && seen_b.count == 1;
      },
      20s))
      << "the two nodes never saw each other";

  int hosted_by[2] = {0, 0};
  for (int i = 0; i < 50; ++i) {
    const std::string room = "race-" + std::to_string(i);
    std::array<std::promise<Placement>, 2> answers;
    std::barrier start(2);
    std::array<std::thread, 2> joins;
    std::array<TestNode*, 2> nodes = {&a, &b};
    for (int n = 0; n < 2; ++n) {
      joins[n] = std::thread([&, n] {
        start.arrive_and_wait();  // both placements begin at one instant
        nodes[n]->node->place(room, [&, n](const Placement& p) { answers[n].set_value(p); });
      });
    }
    for (std::thread& t : joins) t.join();
    std::array<std::future<Placement>, 2> results = {answers[0].get_future(),
                                                     answers[1].get_future()};
    ASSERT_EQ(results[0].wait_for(10s), std::future_status::ready);
    ASSERT_EQ(results[1].wait_for(10s), std::future_status::ready);
    const Placement pa = results[0].get(), pb = results[1].get();
    const std::string host_a = host_named(pa, addresses[0]);
    const std::string host_b = host_named(pb, addresses[1]);
    ASSERT_EQ(host_a, host_b) << room << ": two hosts";
    ASSERT_NE(pa.kind == Placement::Kind::kHere, pb.kind == Placement::Kind::kHere) << room;
    ++hosted_by[host_a == addresses[0] ? 0 : 1];
  }
  std::printf("50 races: %d rooms placed on %s, %d on %s\n", hosted_by[0], addresses[0].c_str(),
              hosted_by[1], addresses[1].c_str());
  // Placement spreads them: both nodes got rooms.
  EXPECT_GT(hosted_by[0], 0);
  EXPECT_GT(hosted_by[1], 0);
}

}  // namespace
}  // namespace ttycall::itest
