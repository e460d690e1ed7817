#pragma once
// What every part of the server shares: options, the buffer pools, and the counters that
// end up in the stats file. Owned by Server; everything else holds a reference.
#include <array>
#include <atomic>
#include <cstdint>
#include <memory>
#include <mutex>

#include "core/buffer_pool.h"
#include "net/key_exchange.h"
#include "server/admission.h"
#include "server/decode_workers.h"
#include "server/decoded_demand.h"
#include "server/refusal_log.h"
#include "server/room_policy.h"
#include "server/server_options.h"

namespace ttycall::server {

namespace cluster {
class ClusterNode;
}

struct ServerCounters {
  std::atomic<uint64_t> frames_rendered{0};          // view pictures composed (one per view change)
  std::atomic<uint64_t> frames_sent{0};              // video packets fully written to a client
  std::atomic<uint64_t> frames_dropped{0};           // replaced in a mailbox unsent, or no buffer
  std::atomic<uint64_t> video_frames_in{0};          // camera frames decoded
  std::atomic<uint64_t> video_frames_rejected{0};    // not a baseline JPEG of its stated size
  std::atomic<uint64_t> video_frames_over_rate{0};   // beyond the rate asked for: not decoded
  std::atomic<uint64_t> video_frames_superseded{0};  // replaced by a newer one before decoding
  std::atomic<uint64_t> video_frames_unwanted{0};    // from someone nobody shows: not decoded
  std::atomic<uint64_t> voice_packets_over_rate{0};  // beyond one per 20 ms: not decoded
  std::atomic<uint64_t> renders_out_of_memory{0};    // a view's scratch could not grow
  std::atomic<uint64_t> connections{0};
  std::atomic<int> clients_now{0};
  std::atomic<int> clients_peak{0};
};

// Compressed frames vary from a few KiB to several MiB, so they come from size classes.
// Each room's compositor claims the buffers its views need; a class holds the sum of the
// claims, and shrinks to it when a claim is given back (views or a room went).
class FramePools {
 public:
  static constexpr std::array<size_t, 6> kClassSizes = {16u << 10, 64u << 10, 256u << 10,
                                                        1u << 20,  4u << 20,  9u << 20};
  FramePools(size_t max_per_class, core::MemoryBudget& budget);
  // A buffer of at least `bytes`, or empty (exhausted or too large: the frame is dropped).
  core::PooledBuffer acquire(size_t bytes);
  // Index of the class a packet of `bytes` goes to (kClassSizes.size() if none fits).
  static size_t class_of(size_t bytes);
  // Class `index` holds `buffers` more for the claimer, and at least every claim's sum.
  void claim(size_t index, size_t buffers);
  // Gives back a claim (a room went away).
  void release(size_t index, size_t buffers);

 private:
  std::array<std::unique_ptr<core::BufferPool>, kClassSizes.size()> pools_;
  std::mutex claims_mutex_;  // rooms are composed on one thread but may die on another
  std::array<size_t, kClassSizes.size()> claimed_{};
};

// Builds what the server needs to encrypt and authenticate from its options (loading or
// creating the identity, deriving the password key). Throws std::runtime_error with a
// message for the operator if it cannot.
net::ServerAuthConfig make_auth_config(const ServerOptions& options);
// The room policy of the options (--rooms, --default-room, --max-room-size), its passwords
// derived with `auth`'s salt. Throws std::runtime_error with a message if it cannot.
RoomPolicy make_room_policy(const ServerOptions& options, const net::ServerAuthConfig& auth);

// The admission limits of the options (--max-pending, --connections-per-ip-per-second, ...).
AdmissionLimits admission_limits(const ServerOptions& options);

struct ServerContext {
  explicit ServerContext(const ServerOptions& options);
  static constexpr size_t kSpareReceiveBuffers = 0;

  ServerOptions options;
  net::ServerAuthConfig auth;  // identity, password key, allowed keys; read-only once built
  RoomPolicy rooms;            // which rooms there are; read-only once built
  ServerCounters counters;
  core::MemoryBudget pool_budget;  // shared by the pools below (--max-pool-memory)
  core::BufferPool receive_pool;   // one per joined session: the largest upstream payload
  core::BufferPool decoded_pool;   // decoded camera frames (RGB)
  DecodedDemand decoded_demand;    // sizes decoded_pool for the members shown in all rooms
  FramePools frame_pools;          // rendered, compressed, framed video packets
  Admission admission;             // who may connect, key-exchange and try a password
  RefusalLog refusals;             // what was refused, logged in aggregate
  DecodeWorkers decode_workers;    // camera frames, off the io threads
  // This server as a cluster node (--cluster), or none; set by Server::start().
  cluster::ClusterNode* cluster = nullptr;
};

}  // namespace ttycall::server
