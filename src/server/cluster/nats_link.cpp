#include "server/cluster/nats_link.h"

#include <nats/nats.h>
#include <spdlog/spdlog.h>

namespace ttycall::server::cluster {
namespace {

constexpr int64_t kRequestTimeoutMs = 1000;  // a JetStream call, when NATS is there at all
constexpr int64_t kAliveTimeoutMs = 500;     // a node's answer to "are you there?"

void answer(natsConnection* nc, natsSubscription*, natsMsg* msg, void*) {
  if (const char* reply = natsMsg_GetReply(msg)) natsConnection_PublishString(nc, reply, "1");
  natsMsg_Destroy(msg);
}

std::string last_error(natsStatus s) {
  natsStatus ignored;
  const char* text = nats_GetLastError(&ignored);
  return text != nullptr && *text != '\0' ? text : natsStatus_GetText(s);
}

}  // namespace

NatsLink::NatsLink(const NatsLinkConfig& config) : config_(config) {}

core::Result<std::unique_ptr<NatsLink>> NatsLink::open(const NatsLinkConfig& config) {
  std::unique_ptr<NatsLink> link(new NatsLink(config));
  natsOptions* options = nullptr;
  natsStatus s = natsOptions_Create(&options);
  if (s == NATS_OK) s = natsOptions_SetURL(options, config.url.c_str());
  if (s == NATS_OK) s = natsOptions_SetName(options, "ttycall server");
  if (s == NATS_OK) s = natsOptions_SetTimeout(options, 1000);
  if (s == NATS_OK) s = natsOptions_SetAllowReconnect(options, true);
  if (s == NATS_OK) s = natsOptions_SetMaxReconnect(options, -1);  // forever
  if (s == NATS_OK) s = natsOptions_SetReconnectWait(options, 250);
  // Notice a NATS that went away within a few seconds, not the default two minutes.
  if (s == NATS_OK) s = natsOptions_SetPingInterval(options, 1000);
  if (s == NATS_OK) s = natsOptions_SetMaxPingsOut(options, 2);
  if (s == NATS_OK) s = natsOptions_SetRetryOnFailedConnect(options, true, nullptr, nullptr);
  if (s == NATS_OK) {
    s = natsConnection_Connect(&link->connection_, options);
    if (s == NATS_NOT_YET_CONNECTED) s = NATS_OK;  // it goes on trying in the background
  }
  const std::string error = s == NATS_OK ? std::string() : last_error(s);
  natsOptions_Destroy(options);
  if (s != NATS_OK) {
    return core::Status::invalid_input("cannot use the cluster's NATS at " + config.url + ": " +
                                       error);
  }
  return link;
}

NatsLink::~NatsLink() {
  stop_answering();
  if (rooms_ != nullptr) kvStore_Destroy(rooms_);
  if (nodes_ != nullptr) kvStore_Destroy(nodes_);
  if (js_ != nullptr) jsCtx_Destroy(js_);
  if (connection_ != nullptr) {
    natsConnection_Close(connection_);
    natsConnection_Destroy(connection_);
  }
}

bool NatsLink::connected() const {
  return connection_ != nullptr && natsConnection_Status(connection_) == NATS_CONN_STATUS_CONNECTED;
}

bool NatsLink::open_bucket(const std::string& name, double ttl_seconds, kvStore*& out) {
  if (out != nullptr) return true;
  kvConfig config;
  kvConfig_Init(&config);
  config.Bucket = name.c_str();
  config.History = 1;
  config.TTL = int64_t(ttl_seconds * 1e9);  // nanoseconds (the stream's max age)
  config.StorageType = js_FileStorage;      // survives a restart of NATS
  natsStatus s = js_CreateKeyValue(&out, js_, &config);
  if (s != NATS_OK) s = js_KeyValue(&out, js_, name.c_str());  // made before, maybe otherwise
  if (s != NATS_OK) {
    out = nullptr;
    spdlog::debug("cluster: bucket {} not usable yet: {}", name, last_error(s));
    return false;
  }
  return true;
}

bool NatsLink::ready() {
  if (!connected()) return false;
  if (js_ == nullptr) {
    jsOptions options;
    jsOptions_Init(&options);
    options.Wait = kRequestTimeoutMs;
    if (natsConnection_JetStream(&js_, connection_, &options) != NATS_OK) {
      js_ = nullptr;
      return false;
    }
  }
  const std::string prefix = "ttycall_" + config_.cluster_name;
  return open_bucket(prefix + "_rooms", config_.lease_seconds, rooms_) &&
         open_bucket(prefix + "_nodes", config_.node_ttl_seconds, nodes_);
}

bool NatsLink::create_room(const std::string& key, const std::string& value, uint64_t& revision) {
  return rooms_ != nullptr && connected() &&
         kvStore_Create(&revision, rooms_, key.c_str(), value.data(), int(value.size())) == NATS_OK;
}

bool NatsLink::update_room(const std::string& key, const std::string& value, uint64_t last,
                           uint64_t& revision) {
  return rooms_ != nullptr && connected() &&
         kvStore_Update(&revision, rooms_, key.c_str(), value.data(), int(value.size()), last) ==
             NATS_OK;
}

NatsLink::Read NatsLink::get_room(const std::string& key, std::string& value, uint64_t& revision) {
  if (rooms_ == nullptr || !connected()) return Read::kFailed;
  kvEntry* entry = nullptr;
  const natsStatus s = kvStore_Get(&entry, rooms_, key.c_str());
  if (s == NATS_NOT_FOUND) return Read::kAbsent;
  if (s != NATS_OK) return Read::kFailed;
  value.assign(static_cast<const char*>(kvEntry_Value(entry)), size_t(kvEntry_ValueLen(entry)));
  revision = kvEntry_Revision(entry);
  kvEntry_Destroy(entry);
  return Read::kFound;
}

bool NatsLink::delete_room(const std::string& key) {
  return rooms_ != nullptr && connected() && kvStore_Delete(rooms_, key.c_str()) == NATS_OK;
}

bool NatsLink::keys_of(kvStore* kv, std::vector<std::string>& keys) {
  keys.clear();
  if (kv == nullptr || !connected()) return false;
  kvKeysList list{};
  kvWatchOptions options;
  kvWatchOptions_Init(&options);
  options.Timeout = kRequestTimeoutMs;
  const natsStatus s = kvStore_Keys(&list, kv, &options);
  if (s == NATS_NOT_FOUND) return true;  // an empty bucket
  if (s != NATS_OK) return false;
  for (int i = 0; i < list.Count; ++i) keys.emplace_back(list.Keys[i]);
  kvKeysList_Destroy(&list);
  return true;
}

bool NatsLink::room_keys(std::vector<std::string>& keys) {
  return keys_of(rooms_, keys);
}

bool NatsLink::put_node(const std::string& key, const std::string& value) {
  return nodes_ != nullptr && connected() &&
         kvStore_Put(nullptr, nodes_, key.c_str(), value.data(), int(value.size())) == NATS_OK;
}

bool NatsLink::node_values(std::vector<std::string>& values) {
  values.clear();
  std::vector<std::string> keys;
  if (!keys_of(nodes_, keys)) return false;
  for (const std::string& key : keys) {
    kvEntry* entry = nullptr;
    if (kvStore_Get(&entry, nodes_, key.c_str()) != NATS_OK) continue;  // just expired
    values.emplace_back(static_cast<const char*>(kvEntry_Value(entry)),
                        size_t(kvEntry_ValueLen(entry)));
    kvEntry_Destroy(entry);
  }
  return true;
}

std::string NatsLink::alive_subject(const std::string& node_id) const {
  return "ttycall." + config_.cluster_name + ".alive." + node_id;
}

bool NatsLink::answer_alive(const std::string& node_id) {
  if (alive_ != nullptr) return true;
  if (connection_ == nullptr) return false;
  // Made while NATS is away too: the client subscribes again when it reconnects.
  if (natsConnection_Subscribe(&alive_, connection_, alive_subject(node_id).c_str(), answer,
                               nullptr) != NATS_OK) {
    alive_ = nullptr;
    return false;
  }
  return true;
}

void NatsLink::stop_answering() {
  if (alive_ == nullptr) return;
  natsSubscription_Unsubscribe(alive_);
  natsSubscription_Destroy(alive_);
  alive_ = nullptr;
  if (connected()) natsConnection_FlushTimeout(connection_, kRequestTimeoutMs);
}

NatsLink::Liveness NatsLink::alive(const std::string& node_id) {
  if (!connected()) return Liveness::kUnknown;
  natsMsg* reply = nullptr;
  const natsStatus s = natsConnection_RequestString(
      &reply, connection_, alive_subject(node_id).c_str(), "?", kAliveTimeoutMs);
  if (reply != nullptr) natsMsg_Destroy(reply);
  if (s == NATS_OK) return Liveness::kAlive;
  if (s == NATS_NO_RESPONDERS) return Liveness::kGone;
  return Liveness::kUnknown;
}

}  // namespace ttycall::server::cluster
