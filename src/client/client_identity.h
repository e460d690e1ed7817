#pragma once
// The client's own Ed25519 identity, as `client` and `rooms` use it: a throwaway one
// (--ephemeral), the --identity file, or ~/.config/ttycall/client_key, created on first use.
#include "client/client_options.h"
#include "core/status.h"
#include "net/keys.h"

namespace ttycall::client {

core::Result<net::Identity> load_client_identity(const ClientOptions& options);

}  // namespace ttycall::client
