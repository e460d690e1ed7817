#pragma once
// Whether to trust the key a server proved it holds: exactly the key the caller gave
// (--server-key, the demo), or the key pinned for that address in known_hosts, pinning
// it on first use. A changed pinned key is refused loudly (possible interception).
#include <string>
#include <string_view>

#include "client/client_options.h"
#include "core/status.h"
#include "net/keys.h"

namespace ttycall::client {

// An --insecure connection to an address pinned in known_hosts (a server known to encrypt)
// is refused unless --insecure-even-if-pinned says so too: one flag, perhaps suggested by
// an attacker, must not turn a known server's encryption off.
core::Status check_insecure_allowed(const ClientOptions& options, std::string_view where);

// Before a password proof goes to `key`: refused when the key was neither given with
// --server-key nor pinned before this connection. A proof is a keyed hash of the
// transcript, so whoever holds the key it is sent to can test password guesses against it
// offline; on first use that could be a man in the middle.
core::Status check_password_recipient(const ClientOptions& options, std::string_view where,
                                      const net::PublicKey& key);

// Ok with a notice to show the user (empty when there is nothing to say), or why not.
core::Result<std::string> check_server_key(const ClientOptions& options, std::string_view where,
                                           const net::PublicKey& key);

}  // namespace ttycall::client
