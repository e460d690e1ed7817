#pragma once
// This server as a node of a cluster (`ttycall server --cluster nats://...`): it places
// rooms, keeps the claims of the rooms it hosts alive, and reports its load, all through
// NATS (NatsLink) and all on a thread of its own, so no NATS round trip ever runs on an io
// thread or in a room's tick. Sessions ask (place(), list_rooms()) and are answered by a
// callback on this thread; they hop back to their own executor themselves.
//
// Placement of a room a client asks for, in order:
//  - the room's claim names this node: it is hosted here (a placing node may have reserved
//    it for us while the client was on its way);
//  - it names a live node: the client goes there (Redirect);
//  - it names a node that is gone (its subject has no responder): this node takes it over
//    with a revision-checked update, so of several nodes trying, exactly one wins;
//  - there is none: it goes to the least-loaded live node (placement.h), claimed with a
//    create that fails if anyone claimed it first; the loser reads the winner's claim.
// A claim is a lease: the rooms bucket forgets a key that is not renewed for a few seconds,
// and the hosting node renews each of its claims every second (revision-checked). When a
// room ends its claim is deleted. Media never cross NATS.
#include <array>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "core/status.h"
#include "net/cluster_protocol.h"
#include "server/cluster/nats_link.h"
#include "server/cluster/records.h"

namespace ttycall::server {
class RoomDirectory;
struct ServerCounters;
}  // namespace ttycall::server

namespace ttycall::server::cluster {

struct Placement {
  enum class Kind { kHere, kElsewhere, kUnavailable };
  Kind kind = Kind::kUnavailable;
  net::NodeAddress node;  // kElsewhere: the node that hosts the room
};

class ClusterNode {
 public:
  using PlacementDone = std::function<void(const Placement&)>;
  using ListDone = std::function<void(const net::ClusterRoomList&)>;

  // `address` is what clients are told to connect to (--advertise); `key` this server's
  // identity (all zero with --insecure).
  ClusterNode(const NatsLinkConfig& config, std::string address,
              const std::array<uint8_t, net::kKeyBytes>& key, RoomDirectory& rooms,
              const ServerCounters& counters);
  ~ClusterNode();
  ClusterNode(const ClusterNode&) = delete;
  ClusterNode& operator=(const ClusterNode&) = delete;

  // Starts connecting to NATS and the cluster thread; fails only for an unusable URL.
  core::Status start();
  // Ends the thread; this node's claims are deleted first when NATS is there (rooms that
  // end with an orderly shutdown can be claimed elsewhere at once).
  void stop();

  // Any thread. `done` runs on the cluster thread, once.
  void place(std::string_view room, PlacementDone done);
  void list_rooms(ListDone done);
  // Stops taking rooms and gives up every claim; `done` runs on the cluster thread once
  // the claims are gone (or NATS is away), when the clients can be asked to move.
  void start_draining(std::function<void()> done);
  bool draining() const { return draining_.load(std::memory_order_acquire); }

  // The live nodes other than this one, as the last second saw them (for the Welcome).
  void other_nodes(net::ClusterNodes& out) const;
  // From the control thread, once a second: the distinct views composed here.
  void note_views(int views) { views_.store(views, std::memory_order_relaxed); }
  const std::string& address() const { return address_; }

 private:
  struct Request {
    enum class Kind { kPlace, kList, kDrain } kind = Kind::kPlace;
    std::string room;
    PlacementDone placed;
    ListDone listed;
    std::function<void()> drained;
  };
  struct OwnClaim {
    std::string room;
    std::string key;
    uint64_t revision = 0;
    std::chrono::steady_clock::time_point since;
    bool seen = false;    // had members here
    int empty_ticks = 0;  // seconds in a row without members, once seen
  };

  void enqueue(Request request);
  void run();
  void serve(Request& request, bool up);
  Placement decide(const std::string& room);
  // The node a new room should go to (possibly this one); nullopt when none can.
  std::optional<RoomClaim> choose_node();
  Placement claimed(const std::string& room, const std::string& key, const RoomClaim& claim,
                    uint64_t revision);
  void adopt(const std::string& room, const std::string& key, uint64_t revision);
  void every_second();
  void renew(OwnClaim& claim, int members, bool& keep);
  void release_all();
  void list(net::ClusterRoomList& out);
  RoomClaim own_claim(int members) const;
  NodeRecord own_record();
  void note_up(bool up);

  NatsLinkConfig config_;
  std::string address_;
  std::string id_;
  std::array<uint8_t, net::kKeyBytes> key_{};
  RoomDirectory& rooms_;
  const ServerCounters& counters_;
  std::unique_ptr<NatsLink> link_;  // the cluster thread's

  std::mutex mutex_;
  std::condition_variable wake_;
  std::deque<Request> requests_;
  bool stopping_ = false;
  std::thread thread_;

  mutable std::mutex nodes_mutex_;
  net::ClusterNodes others_{};  // the Welcome's list, refreshed every second

  std::atomic<bool> draining_{false};
  std::atomic<int> views_{0};
  // The cluster thread's own.
  std::vector<OwnClaim> claims_;
  bool up_logged_ = false;
  int others_logged_ = -1;  // the other nodes' count, as last logged
  bool ever_up_ = false;
  double cpu_ = 0;
  std::chrono::steady_clock::time_point cpu_at_{};
  double cpu_seconds_ = 0;
};

}  // namespace ttycall::server::cluster
