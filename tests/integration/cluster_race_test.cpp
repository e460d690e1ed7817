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
#include "server/cluster/nats_link.h"
#include "server/cluster/records.h"
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

// Both nodes place `room` at one instant; their answers.
std::pair<Placement, Placement> race(TestNode& a, TestNode& b, const std::string& room) {
  std::array<std::promise<Placement>, 2> answers;
  std::array<std::future<Placement>, 2> results = {answers[0].get_future(),
                                                   answers[1].get_future()};
  std::barrier start(2);
  std::array<TestNode*, 2> nodes = {&a, &b};
  std::array<std::thread, 2> joins;
  for (int n = 0; n < 2; ++n) {
    joins[n] = std::thread([&, n] {
      start.arrive_and_wait();  // both placements begin at one instant
      nodes[n]->node->place(room, [&, n](const Placement& p) { answers[n].set_value(p); });
    });
  }
  for (std::thread& t : joins) t.join();
  const bool ready = results[0].wait_for(10s) == std::future_status::ready &&
                     results[1].wait_for(10s) == std::future_status::ready;
  EXPECT_TRUE(ready) << room << ": no answer";
  if (!ready) return {};
  return {results[0].get(), results[1].get()};
}

// Which of the two nodes both answers name as the host (exactly one of them hosting it
// itself), or -1 (and a failure) when they disagree.
int one_host(const std::pair<Placement, Placement>& answers,
             const std::array<std::string, 2>& addresses, const std::string& room) {
  const std::string host_a = host_named(answers.first, addresses[0]);
  const std::string host_b = host_named(answers.second, addresses[1]);
  const bool one_here = (answers.first.kind == Placement::Kind::kHere) !=
                        (answers.second.kind == Placement::Kind::kHere);
  EXPECT_EQ(host_a, host_b) << room << ": two hosts";
  EXPECT_TRUE(one_here) << room << ": not exactly one node hosts it itself";
  if (host_a != host_b || !one_here) return -1;
  return host_a == addresses[0] ? 0 : 1;
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
    const int host = one_host(race(a, b, room), addresses, room);
    ASSERT_GE(host, 0);
    ++hosted_by[host];
  }
  std::printf("50 races: %d rooms placed on %s, %d on %s\n", hosted_by[0], addresses[0].c_str(),
              hosted_by[1], addresses[1].c_str());
  // Placement spreads them: both nodes got rooms.
  EXPECT_GT(hosted_by[0], 0);
  EXPECT_GT(hosted_by[1], 0);

  // The harder race: rooms whose claims name a node that is gone (killed without deleting
  // them). Both nodes now want each room for themselves; the revision check lets one win.
  core::Result<std::unique_ptr<server::cluster::NatsLink>> link =
      server::cluster::NatsLink::open({nats.url(), "race"});
  ASSERT_TRUE(link.is_ok());
  ASSERT_TRUE(wait_until([&] { return (*link)->ready(); }, 10s));
  const std::string gone = "127.0.0.1:1003";  // nobody answers for it
  int taken_by[2] = {0, 0};
  for (int i = 0; i < 25; ++i) {
    const std::string room = "orphan-" + std::to_string(i);
    uint64_t revision = 0;
    ASSERT_TRUE((*link)->create_room(server::cluster::room_key(room),
                                     server::cluster::encode(server::cluster::RoomClaim{
                                         server::cluster::node_id(gone), gone, {}, 2}),
                                     revision));
    const int host = one_host(race(a, b, room), addresses, room);
    ASSERT_GE(host, 0) << "after a takeover";
    ++taken_by[host];
  }
  std::printf("25 takeover races: %d won by %s, %d by %s\n", taken_by[0], addresses[0].c_str(),
              taken_by[1], addresses[1].c_str());
}

}  // namespace
}  // namespace ttycall::itest
