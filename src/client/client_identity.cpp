#include "client/client_identity.h"

#include <filesystem>

#include "core/paths.h"

namespace ttycall::client {

core::Result<net::Identity> load_client_identity(const ClientOptions& options) {
  net::ensure_sodium();
  if (options.ephemeral_identity) return net::Identity::generate();
  const core::Result<std::filesystem::path> file =
      core::config_file(options.identity_file, "client_key", "--identity");
  if (!file.is_ok()) return file.status();
  return net::Identity::load_or_create(file.value());
}

}  // namespace ttycall::client
