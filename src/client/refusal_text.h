#pragma once
// What the client says when a server ends the connection, in its own words. Before the
// channel is authenticated, anyone on the path can write a Bye, so its text is never shown
// (an attacker's "reconnect with --insecure" must not read as the server's advice): only
// these fixed words for its reason code are.
#include <string>
#include <string_view>

#include "net/protocol.h"

namespace ttycall::client {

std::string_view refusal_text(net::ByeReason reason);

// Why `bye` ended the connection, as the user is told: its text (made printable) once the
// channel is authenticated; before, refusal_text() and a note that nothing proves who sent it.
std::string refusal_reason(const net::Bye& bye, bool authenticated);

}  // namespace ttycall::client
