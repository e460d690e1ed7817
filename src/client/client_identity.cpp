#include "client/client_identity.h"

#include <filesystem>

#include "core/paths.h"

namespace ttycall::client {

core::Result<net::Identity> load_client_identity(const ClientOptions& options) {
  net::ensure_sodium();
  if (options.ephemeral_identity) return net::Identity::generate();
  const std::filesystem::path file = !options.identity_file.empty()
                                         ? std::filesystem::path(options.identity_file)
                                         : core::config_dir() / "client_key";
  if (file.empty()) {
    return core::Status::invalid_input("no place for the client key: set HOME or --identity");
  }
  return net::Identity::load_or_create(file);
}

}  // namespace ttycall::client
