#include "server/server_context.h"

#include <sodium.h>

#include <algorithm>
#include <filesystem>
#include <stdexcept>
#include <string>
#include <thread>

#include "core/paths.h"
#include "net/allowed_keys.h"
#include "net/protocol.h"

namespace ttycall::server {

FramePools::FramePools(size_t max_per_class, core::MemoryBudget& budget) {
  for (size_t i = 0; i < kClassSizes.size(); ++i) {
    const size_t kib = kClassSizes[i] >> 10;
    // Grown only by reserve(): the compositor knows what its views need.
    pools_[i] = std::make_unique<core::BufferPool>(
        "frames." + std::to_string(kib) + "K", kClassSizes[i], 0, max_per_class, false, &budget);
  }
}

size_t FramePools::class_of(size_t bytes) {
  for (size_t i = 0; i < kClassSizes.size(); ++i) {
    if (bytes <= kClassSizes[i]) return i;
  }
  return kClassSizes.size();
}

core::PooledBuffer FramePools::acquire(size_t bytes) {
  const size_t index = class_of(bytes);
  return index < kClassSizes.size() ? pools_[index]->acquire() : core::PooledBuffer();
}

void FramePools::claim(size_t index, size_t buffers) {
  std::lock_guard lock(claims_mutex_);
  claimed_[index] += buffers;
  pools_[index]->reserve(claimed_[index]);
}

void FramePools::release(size_t index, size_t buffers) {
  std::lock_guard lock(claims_mutex_);
  claimed_[index] -= std::min(buffers, claimed_[index]);
  pools_[index]->shrink_to(claimed_[index]);
}

net::ServerAuthConfig make_auth_config(const ServerOptions& options) {
  net::ServerAuthConfig auth;
  if (options.insecure) {
    if (!options.password.empty() || !options.allowed_keys_file.empty()) {
      throw std::runtime_error(
          "--password and --allowed-keys need encryption: drop --insecure to use them");
    }
    return auth;
  }
  net::ensure_sodium();
  if (options.ephemeral_identity) {
    auth.identity = net::Identity::generate();
  } else {
    const core::Result<std::filesystem::path> file =
        core::config_file(options.identity_file, "server_key", "--identity");
    if (!file.is_ok()) throw std::runtime_error(file.status().message());
    core::Result<net::Identity> identity = net::Identity::load_or_create(file.value());
    if (!identity.is_ok()) throw std::runtime_error(identity.status().message());
    auth.identity = *identity;
  }
  // Room passwords are derived with the same salt, so there is always one.
  randombytes_buf(auth.password_salt.data(), auth.password_salt.size());
  if (!options.password.empty()) {
    auth.password = net::PasswordKey::derive(options.password, auth.password_salt);
    if (!auth.password) throw std::runtime_error("not enough memory to hash the password");
  }
  if (!options.allowed_keys_file.empty()) {
    core::Result<std::vector<net::PublicKey>> keys =
        net::load_allowed_keys(options.allowed_keys_file);
    if (!keys.is_ok()) throw std::runtime_error(keys.status().message());
    auth.restrict_keys = true;
    auth.allowed_keys = std::move(*keys);
  }
  return auth;
}

RoomPolicy make_room_policy(const ServerOptions& options, const net::ServerAuthConfig& auth) {
  if (!net::is_valid_room_name(options.default_room)) {
    throw std::runtime_error("--default-room: '" + options.default_room +
                             "' is not a room name (1-32 bytes, no control, format or bidi "
                             "characters)");
  }
  core::Result<RoomPolicy> policy =
      RoomPolicy::from_option(options.rooms, auth.password_salt, options.max_room_size);
  if (!policy.is_ok()) throw std::runtime_error(policy.status().message());
  if (options.insecure && policy->has_passwords()) {
    throw std::runtime_error("room passwords need encryption: drop --insecure to use them");
  }
  return std::move(*policy);
}

AdmissionLimits admission_limits(const ServerOptions& options) {
  AdmissionLimits limits;
  limits.max_pending = options.max_pending;
  limits.max_pending_per_group = options.max_pending_per_ip;
  limits.max_open_per_group = options.max_connections_per_ip;
  // The bursts: a fixed few, or a second's worth of a higher rate.
  limits.connections_per_second = options.connections_per_ip_per_second;
  limits.connection_burst = std::max(limits.connection_burst, limits.connections_per_second);
  limits.key_exchanges_per_second = options.handshakes_per_ip_per_second;
  limits.key_exchange_burst = std::max(limits.key_exchange_burst, limits.key_exchanges_per_second);
  limits.wrong_passwords_per_minute = options.wrong_passwords_per_minute;
  return limits;
}

ServerContext::ServerContext(const ServerOptions& opts)
    : options(opts),
      auth(make_auth_config(opts)),
      rooms(make_room_policy(opts, auth)),
      pool_budget(opts.max_pool_mib << 20),
      receive_pool("session.receive", net::max_payload(net::MsgType::kVideoUp) + net::kSealOverhead,
                   0, size_t(opts.max_clients) + 4, /*grow_on_demand=*/true, &pool_budget),
      decoded_pool("video.decoded",
                   size_t(opts.max_video_width) * size_t(opts.max_video_height) * 3, 0,
                   size_t(opts.max_clients) * DecodedDemand::kFramesPerShownMember + 8,
                   /*grow_on_demand=*/false, &pool_budget),
      decoded_demand(decoded_pool),
      // Each room's views hold their own packets: a server of many small rooms needs a few
      // more per client than one big call.
      frame_pools(size_t(opts.max_clients) * 4 + 8, pool_budget),
      admission(admission_limits(opts)),
      refusals(opts.refusal_log_interval),
      decode_workers(opts.decode_threads > 0
                         ? opts.decode_threads
                         : std::max(1, int(std::thread::hardware_concurrency()) / 2)) {
  // A session holds its receive buffer (1 MiB) while it lasts; it goes back to the heap
  // with its session (one allocation a join, none in a call), so a crowd that came and
  // went leaves nothing reserved.
  receive_pool.shrink_to(kSpareReceiveBuffers);
}

}  // namespace ttycall::server
