#include "server/cluster/cluster_node.h"

#include <spdlog/spdlog.h>
#include <sys/resource.h>

#include <algorithm>

#include "server/cluster/placement.h"
#include "server/room_directory.h"
#include "server/server_context.h"

namespace ttycall::server::cluster {
namespace {

using Clock = std::chrono::steady_clock;
constexpr auto kTick = std::chrono::seconds(1);
// A claim made for a client on its way keeps its lease this long without members.
constexpr auto kArrivalGrace = std::chrono::seconds(15);
constexpr int kPlacementAttempts = 5;

double process_cpu_seconds() {
  rusage usage{};
  getrusage(RUSAGE_SELF, &usage);
  return double(usage.ru_utime.tv_sec + usage.ru_stime.tv_sec) +
         double(usage.ru_utime.tv_usec + usage.ru_stime.tv_usec) / 1e6;
}

Placement unavailable() {
  return {Placement::Kind::kUnavailable, {}};
}

}  // namespace

ClusterNode::ClusterNode(const NatsLinkConfig& config, std::string address,
                         const std::array<uint8_t, net::kKeyBytes>& key, RoomDirectory& rooms,
                         const ServerCounters& counters)
    : config_(config),
      address_(std::move(address)),
      id_(node_id(address_)),
      key_(key),
      rooms_(rooms),
      counters_(counters) {}

ClusterNode::~ClusterNode() {
  stop();
}

core::Status ClusterNode::start() {
  core::Result<std::unique_ptr<NatsLink>> link = NatsLink::open(config_);
  if (!link.is_ok()) return link.status();
  link_ = std::move(*link);
  link_->answer_alive(id_);
  cpu_at_ = Clock::now();
  cpu_seconds_ = process_cpu_seconds();
  thread_ = std::thread([this] { run(); });
  return core::Status::ok();
}

void ClusterNode::stop() {
  {
    std::lock_guard lock(mutex_);
    if (!thread_.joinable()) return;
    stopping_ = true;
  }
  wake_.notify_all();
  thread_.join();
}

void ClusterNode::enqueue(Request request) {
  {
    std::lock_guard lock(mutex_);
    requests_.push_back(std::move(request));
  }
  wake_.notify_all();
}

void ClusterNode::place(std::string_view room, PlacementDone done) {
  Request r;
  r.kind = Request::Kind::kPlace;
  r.room = room;
  r.placed = std::move(done);
  enqueue(std::move(r));
}

void ClusterNode::list_rooms(ListDone done) {
  Request r;
  r.kind = Request::Kind::kList;
  r.listed = std::move(done);
  enqueue(std::move(r));
}

void ClusterNode::start_draining(std::function<void()> done) {
  draining_.store(true, std::memory_order_release);
  Request r;
  r.kind = Request::Kind::kDrain;
  r.drained = std::move(done);
  enqueue(std::move(r));
}

void ClusterNode::other_nodes(net::ClusterNodes& out) const {
  std::lock_guard lock(nodes_mutex_);
  out = others_;
}

void ClusterNode::run() {
  Clock::time_point next_tick = Clock::now();
  std::unique_lock lock(mutex_);
  while (!stopping_) {
    wake_.wait_until(lock, next_tick, [&] { return stopping_ || !requests_.empty(); });
    if (stopping_) break;
    std::deque<Request> requests;
    requests.swap(requests_);
    lock.unlock();
    const bool up = link_->ready();
    note_up(up);
    for (Request& request : requests) serve(request, up);
    if (Clock::now() >= next_tick) {
      if (up) every_second();
      next_tick = Clock::now() + kTick;
    }
    lock.lock();
  }
  lock.unlock();
  if (link_->ready()) release_all();
  link_.reset();
}

void ClusterNode::note_up(bool up) {
  if (up == up_logged_ && ever_up_) return;
  if (up) {
    spdlog::info("cluster: connected to NATS at {} (cluster {}; this node is {})", config_.url,
                 config_.cluster_name, address_);
  } else if (ever_up_ || !up_logged_) {
    spdlog::warn(
        "cluster: NATS at {} is unreachable: calls in progress go on; new rooms wait until it "
        "is back",
        config_.url);
  }
  up_logged_ = up;
  ever_up_ = true;
}

void ClusterNode::serve(Request& request, bool up) {
  switch (request.kind) {
    case Request::Kind::kPlace: {
      const Placement placement = up ? decide(request.room) : unavailable();
      if (placement.kind == Placement::Kind::kUnavailable) {
        spdlog::warn("cluster: room {} waits: NATS is unreachable, so it cannot be placed",
                     request.room);
      }
      request.placed(placement);
      return;
    }
    case Request::Kind::kList: {
      net::ClusterRoomList list;
      if (up) this->list(list);
      request.listed(list);
      return;
    }
    case Request::Kind::kDrain:
      link_->stop_answering();
      if (up) {
        release_all();
        link_->put_node(id_, encode(own_record()));
      }
      spdlog::info("cluster: draining: this node takes no new rooms and gave up its claims");
      request.drained();
      return;
  }
}

Placement ClusterNode::decide(const std::string& room) {
  const std::string key = room_key(room);
  for (int attempt = 0; attempt < kPlacementAttempts; ++attempt) {
    std::string value;
    uint64_t revision = 0;
    switch (link_->get_room(key, value, revision)) {
      case NatsLink::Read::kFailed:
        return unavailable();
      case NatsLink::Read::kFound: {
        const std::optional<RoomClaim> claim = decode_claim(value);
        if (claim && claim->node_id == id_ && !draining()) {
          adopt(room, key, revision);
          return {Placement::Kind::kHere, {}};
        }
        if (claim && claim->node_id != id_) {
          const NatsLink::Liveness live = link_->alive(claim->node_id);
          if (live == NatsLink::Liveness::kAlive) {
            return {Placement::Kind::kElsewhere, node_address(claim->address, claim->key)};
          }
          if (live == NatsLink::Liveness::kUnknown) return unavailable();
        }
        // Its node is gone (or it is ours and we drain): whoever updates first takes it.
        const std::optional<RoomClaim> target =
            draining() ? choose_node() : std::optional<RoomClaim>(own_claim(0));
        if (!target) return unavailable();
        uint64_t taken = 0;
        if (link_->update_room(key, encode(*target), revision, taken)) {
          spdlog::info("cluster: room {} taken over from {} for {}", room,
                       claim ? claim->address : std::string("a malformed claim"), target->address);
          return claimed(room, key, *target, taken);
        }
        continue;  // someone else was first: read what they wrote
      }
      case NatsLink::Read::kAbsent: {
        const std::optional<RoomClaim> target = choose_node();
        if (!target) return unavailable();
        uint64_t made = 0;
        if (link_->create_room(key, encode(*target), made)) {
          spdlog::info("cluster: room {} placed on {}", room, target->address);
          return claimed(room, key, *target, made);
        }
        continue;  // claimed meanwhile (or NATS went): read it again
      }
    }
  }
  return unavailable();
}

Placement ClusterNode::claimed(const std::string& room, const std::string& key,
                               const RoomClaim& claim, uint64_t revision) {
  if (claim.node_id == id_) {
    adopt(room, key, revision);
    return {Placement::Kind::kHere, {}};
  }
  return {Placement::Kind::kElsewhere, node_address(claim.address, claim.key)};
}

std::optional<RoomClaim> ClusterNode::choose_node() {
  std::vector<std::string> values;
  if (!link_->node_values(values)) return std::nullopt;
  std::vector<NodeRecord> nodes;
  for (const std::string& value : values) {
    if (std::optional<NodeRecord> node = decode_node(value)) nodes.push_back(std::move(*node));
  }
  // This node counts even before its first record is in.
  if (std::none_of(nodes.begin(), nodes.end(), [&](const NodeRecord& n) { return n.id == id_; })) {
    nodes.push_back(own_record());
  }
  // Rooms per node from the directory itself: placements of this very second count.
  std::vector<NodeLoad> loads;
  for (const NodeRecord& node : nodes) {
    const bool self = node.id == id_;
    loads.push_back({(self && draining()) ? nullptr : &node, 0});
  }
  std::vector<std::string> keys;
  if (!link_->room_keys(keys)) return std::nullopt;
  for (const std::string& key : keys) {
    std::string value;
    uint64_t revision = 0;
    if (link_->get_room(key, value, revision) != NatsLink::Read::kFound) continue;
    const std::optional<RoomClaim> claim = decode_claim(value);
    if (!claim) continue;
    for (size_t i = 0; i < nodes.size(); ++i) {
      if (nodes[i].id == claim->node_id) ++loads[i].rooms;
    }
  }
  while (true) {
    const int best = least_loaded(loads);
    if (best < 0) return std::nullopt;
    const NodeRecord& node = nodes[size_t(best)];
    // A node killed a moment ago still has its record: ask before sending a client there.
    if (node.id == id_ || link_->alive(node.id) == NatsLink::Liveness::kAlive) {
      return RoomClaim{node.id, node.address, node.key, 0};
    }
    loads[size_t(best)].node = nullptr;
  }
}

void ClusterNode::adopt(const std::string& room, const std::string& key, uint64_t revision) {
  auto it =
      std::find_if(claims_.begin(), claims_.end(), [&](const OwnClaim& c) { return c.key == key; });
  if (it == claims_.end()) {
    claims_.push_back({room, key, revision, Clock::now(), false, 0});
    return;
  }
  it->revision = revision;
  it->since = Clock::now();
  it->empty_ticks = 0;
}

RoomClaim ClusterNode::own_claim(int members) const {
  return RoomClaim{id_, address_, key_, members};
}

NodeRecord ClusterNode::own_record() {
  NodeRecord node;
  node.id = id_;
  node.address = address_;
  node.key = key_;
  node.clients = counters_.clients_now.load(std::memory_order_relaxed);
  node.views = views_.load(std::memory_order_relaxed);
  node.rooms = rooms_.room_count();
  node.cpu = cpu_;
  node.draining = draining();
  return node;
}

void ClusterNode::every_second() {
  const Clock::time_point now = Clock::now();
  const double cpu_now = process_cpu_seconds();
  const double wall = std::chrono::duration<double>(now - cpu_at_).count();
  if (wall > 0) cpu_ = std::max(0.0, (cpu_now - cpu_seconds_) / wall);
  cpu_at_ = now;
  cpu_seconds_ = cpu_now;

  link_->put_node(id_, encode(own_record()));
  std::vector<std::string> values;
  if (link_->node_values(values)) {
    net::ClusterNodes others;
    for (const std::string& value : values) {
      const std::optional<NodeRecord> node = decode_node(value);
      if (!node || node->id == id_ || node->draining || others.count >= net::kMaxClusterNodes) {
        continue;
      }
      others.nodes[others.count++] = node_address(node->address, node->key);
    }
    if (others.count != others_logged_) {
      spdlog::info("cluster: {} other nodes live", others.count);
      others_logged_ = others.count;
    }
    std::lock_guard lock(nodes_mutex_);
    others_ = others;
  }
  for (size_t i = 0; i < claims_.size();) {
    bool keep = true;
    renew(claims_[i], rooms_.members_of(claims_[i].room), keep);
    if (keep) {
      ++i;
    } else {
      claims_.erase(claims_.begin() + std::ptrdiff_t(i));
    }
  }
}

void ClusterNode::renew(OwnClaim& claim, int members, bool& keep) {
  if (members > 0) {
    claim.seen = true;
    claim.empty_ticks = 0;
  } else if (claim.seen || Clock::now() - claim.since > kArrivalGrace) {
    // Two empty seconds in a row: the room ended (a rejoin a moment later claims it anew).
    if (++claim.empty_ticks >= 2) {
      link_->delete_room(claim.key);
      keep = false;
      return;
    }
  }
  const std::string value = encode(own_claim(members));
  uint64_t revision = 0;
  if (link_->update_room(claim.key, value, claim.revision, revision)) {
    claim.revision = revision;
    return;
  }
  std::string current;
  switch (link_->get_room(claim.key, current, revision)) {
    case NatsLink::Read::kFailed:
      return;  // NATS away: the room goes on, the lease is renewed when it is back
    case NatsLink::Read::kAbsent:
      // The lease ran out (NATS was away longer than it): claim the room again.
      if (link_->create_room(claim.key, value, revision)) {
        claim.revision = revision;
        spdlog::info("cluster: room {} claimed again after its lease ran out", claim.room);
      }
      return;
    case NatsLink::Read::kFound: {
      const std::optional<RoomClaim> owner = decode_claim(current);
      if (owner && owner->node_id == id_) {
        claim.revision = revision;
        return;
      }
      spdlog::warn("cluster: room {} is now hosted by {}; this node no longer renews it",
                   claim.room, owner ? owner->address : std::string("another node"));
      keep = false;
      return;
    }
  }
}

void ClusterNode::release_all() {
  for (const OwnClaim& claim : claims_) link_->delete_room(claim.key);
  claims_.clear();
}

void ClusterNode::list(net::ClusterRoomList& out) {
  std::vector<std::string> keys;
  if (!link_->room_keys(keys)) return;
  struct Entry {
    std::string name;
    RoomClaim claim;
  };
  std::vector<Entry> entries;
  for (const std::string& key : keys) {
    std::string value;
    uint64_t revision = 0;
    if (link_->get_room(key, value, revision) != NatsLink::Read::kFound) continue;
    std::optional<std::string> name = room_name_of_key(key);
    std::optional<RoomClaim> claim = decode_claim(value);
    if (name && claim) entries.push_back({std::move(*name), std::move(*claim)});
  }
  std::sort(entries.begin(), entries.end(), [](const Entry& a, const Entry& b) {
    return a.claim.members != b.claim.members ? a.claim.members > b.claim.members : a.name < b.name;
  });
  out.total = uint16_t(std::min<size_t>(entries.size(), UINT16_MAX));
  out.count = uint16_t(std::min<size_t>(entries.size(), net::kMaxListedClusterRooms));
  for (size_t i = 0; i < out.count; ++i) {
    net::ClusterRoomInfo& room = out.rooms[i];
    room.members = uint16_t(std::min(entries[i].claim.members, int(UINT16_MAX)));
    room.name = net::Name::from(entries[i].name);
    const std::string& address = entries[i].claim.address;
    room.address_len = uint8_t(address.size());
    std::copy(address.begin(), address.end(), room.address.begin());
  }
}

}  // namespace ttycall::server::cluster
