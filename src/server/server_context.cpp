#include "server/server_context.h"

#include <sodium.h>

#include <filesystem>
#include <stdexcept>
#include <string>

#include "core/paths.h"
#include "net/allowed_keys.h"
#include "net/protocol.h"

namespace ttycall::server {

FramePools::FramePools(size_t max_per_class) {
  for (size_t i = 0; i < kClassSizes.size(); ++i) {
    const size_t kib = kClassSizes[i] >> 10;
    // Grown only by reserve(): the compositor knows what its views need.
    pools_[i] = std::make_unique<core::BufferPool>("frames." + std::to_string(kib) + "K",
                                                   kClassSizes[i], 0, max_per_class, false);
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

bool ConnectionLimiter::acquire(const std::array<uint8_t, 16>& address) {
  std::lock_guard lock(mutex_);
  Entry* free_entry = nullptr;
  for (Entry& e : entries_) {
    if (e.count > 0 && e.address == address) {
      if (e.count >= per_address_) return false;
      ++e.count;
      return true;
    }
    if (e.count == 0 && free_entry == nullptr) free_entry = &e;
  }
  if (free_entry == nullptr) return false;
  free_entry->address = address;
  free_entry->count = 1;
  return true;
}

void ConnectionLimiter::release(const std::array<uint8_t, 16>& address) {
  std::lock_guard lock(mutex_);
  for (Entry& e : entries_) {
    if (e.count > 0 && e.address == address) {
      --e.count;
      return;
    }
  }
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
  if (!options.password.empty()) {
    randombytes_buf(auth.password_salt.data(), auth.password_salt.size());
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

ServerContext::ServerContext(const ServerOptions& opts)
    : options(opts),
      auth(make_auth_config(opts)),
      receive_pool("session.receive", net::max_payload(net::MsgType::kVideoUp) + net::kSealOverhead,
                   0, size_t(opts.max_clients) + 4),
      decoded_pool("video.decoded",
                   size_t(opts.max_video_width) * size_t(opts.max_video_height) * 3, 0,
                   size_t(opts.max_clients) * 3 + 8, /*grow_on_demand=*/false),
      frame_pools(size_t(opts.max_clients) * 3 + 8),
      connections(opts.max_connections_per_ip) {}

}  // namespace ttycall::server
