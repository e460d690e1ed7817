#pragma once
// Asks a server for its key without joining: the key exchange only (its signature checked),
// then the connection is closed. For confirming a key at a prompt before a password proof
// goes to it: nothing derived from a password is sent.
#include <cstdint>

#include "client/client_options.h"
#include "core/status.h"
#include "net/keys.h"

namespace ttycall::client {

struct ProbedServer {
  net::PublicKey key;        // the identity the server proved it holds
  uint8_t requirements = 0;  // net::AuthRequirements
};

// Gives up after `timeout_seconds`.
core::Result<ProbedServer> probe_server_key(const ClientOptions& options,
                                            double timeout_seconds = 10);

}  // namespace ttycall::client
