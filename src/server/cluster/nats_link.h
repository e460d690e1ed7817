#pragma once
// The node's one connection to NATS and what it does there: the two JetStream key-value
// buckets of the cluster (rooms: who hosts each room; nodes: each node's load), and a
// subject per node that answers while the node lives (a request to a node that is gone
// fails at once with "no responders", which is how a claim of a dead node is recognised
// without waiting for its lease to run out).
//
// Every call blocks (a round trip to NATS, at most a second): only the cluster thread
// (ClusterNode) calls in. The NATS client reconnects by itself, forever; while it is away
// the calls fail fast and connected() says so.
#include <cstdint>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "core/status.h"

struct __natsConnection;
struct __natsSubscription;
struct __jsCtx;
struct __kvStore;

namespace ttycall::server::cluster {

struct NatsLinkConfig {
  std::string url;                       // nats://HOST:PORT
  std::string cluster_name = "ttycall";  // the buckets' prefix: several clusters on one NATS
  double lease_seconds = 4;              // a room claim not renewed for this long is gone
  double node_ttl_seconds = 3;           // a node record not renewed for this long is gone
};

class NatsLink {
 public:
  // Starts connecting (in the background, retried); Status when the URL is unusable.
  static core::Result<std::unique_ptr<NatsLink>> open(const NatsLinkConfig& config);
  ~NatsLink();
  NatsLink(const NatsLink&) = delete;
  NatsLink& operator=(const NatsLink&) = delete;

  bool connected() const;
  // Once connected: makes (or binds to) the buckets, the first time and after a failure.
  // True when they are usable.
  bool ready();

  // The rooms bucket. Create only succeeds if the key is absent; update only if its
  // revision is still `last`. A failure may be a conflict or NATS away: callers read the
  // key again to know which.
  bool create_room(const std::string& key, const std::string& value, uint64_t& revision);
  bool update_room(const std::string& key, const std::string& value, uint64_t last,
                   uint64_t& revision);
  enum class Read { kFound, kAbsent, kFailed };
  Read get_room(const std::string& key, std::string& value, uint64_t& revision);
  bool delete_room(const std::string& key);
  bool room_keys(std::vector<std::string>& keys);

  // The nodes bucket.
  bool put_node(const std::string& key, const std::string& value);
  bool node_values(std::vector<std::string>& values);

  // Answers requests on this node's subject from now on (until stop_answering()).
  bool answer_alive(const std::string& node_id);
  void stop_answering();
  enum class Liveness { kAlive, kGone, kUnknown };
  Liveness alive(const std::string& node_id);

 private:
  explicit NatsLink(const NatsLinkConfig& config);
  std::string alive_subject(const std::string& node_id) const;
  bool open_bucket(const std::string& name, double ttl_seconds, __kvStore*& out);
  bool keys_of(__kvStore* kv, std::vector<std::string>& keys);

  NatsLinkConfig config_;
  __natsConnection* connection_ = nullptr;
  __jsCtx* js_ = nullptr;
  __kvStore* rooms_ = nullptr;
  __kvStore* nodes_ = nullptr;
  __natsSubscription* alive_ = nullptr;
};

}  // namespace ttycall::server::cluster
