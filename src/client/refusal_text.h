#pragma once
// What the client says when a server ends the connection, in its own words. Before the
// channel is authenticated, anyone on the path can write a Bye, so its text is never shown
// (an attacker's "reconnect with --insecure" must not read as the server's advice): only
// these fixed words for its reason code are.
#include <string_view>

#include "net/protocol.h"

namespace ttycall::client {

std::string_view refusal_text(net::ByeReason reason);

}  // namespace ttycall::client
