#pragma once
// Whether to trust the key a server proved it holds: exactly the key the caller gave
// (--server-key, the demo), or the key pinned for that address in known_hosts, pinning
// it on first use. A changed pinned key is refused loudly (possible interception).
#include <cstdio>
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

// Before a call (or a room list) that would send a password proof to a server whose key
// this client has never seen, with the user at a terminal (stdin and stdout): asks the
// server for its key (a key exchange only, nothing derived from the password), shows it and
// asks whether it is the server's. A yes pins it in known_hosts, so the connection that
// follows sends its proof to that key and no other; a no ends here, with nothing pinned and
// nothing sent. Ok without asking when nothing needs confirming (--server-key, a pinned key,
// no password, --insecure, not at a terminal: check_password_recipient() then decides).
core::Status confirm_first_use_at_terminal(const ClientOptions& options);

// The question itself, on `in` and `out` (a terminal, or a test's pipe): true when the
// user confirmed `key` for `where`, by "yes" or by pasting the key.
bool ask_to_confirm_key(std::FILE* in, std::FILE* out, std::string_view where,
                        const net::PublicKey& key);

// Ok with a notice to show the user (empty when there is nothing to say), or why not.
core::Result<std::string> check_server_key(const ClientOptions& options, std::string_view where,
                                           const net::PublicKey& key);

}  // namespace ttycall::client
