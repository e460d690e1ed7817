#include "client/refusal_text.h"

#include "core/utf8.h"

namespace ttycall::client {

std::string_view refusal_text(net::ByeReason reason) {
  using net::ByeReason;
  switch (reason) {
    case ByeReason::kNormal:
    case ByeReason::kShutdown:
      return "the server is shutting down";
    case ByeReason::kServerFull:
      return "the server is full";
    case ByeReason::kProtocolError:
      return "it reports a protocol error";
    case ByeReason::kVersionMismatch:
      return "it speaks another protocol version (update ttycall on one side)";
    case ByeReason::kTimeout:
      return "the handshake took too long";
    case ByeReason::kEncryptionRequired:
      return "this server encrypts every call: connect without --insecure";
    case ByeReason::kNotEncrypted:
      return "it says it runs without encryption; nothing proves that, so if this server "
             "should encrypt, someone may be in between (to join it unencrypted all the same: "
             "--insecure)";
    case ByeReason::kAuthFailed:
      return "wrong or missing password";
    case ByeReason::kKeyNotAllowed:
      return "your key is not allowed on this server";
    case ByeReason::kNoSuchRoom:
      return "there is no such room on this server";
    case ByeReason::kRoomFull:
      return "the room is full";
    case ByeReason::kRoomPassword:
      return "wrong or missing room password";
    case ByeReason::kNotListed:
      return "this server does not list its rooms";
    case ByeReason::kBadName:
      return "your name has characters a name may not have (controls, bidirectional or "
             "invisible format characters, separators, tags or combining marks): choose "
             "another with --name";
    case ByeReason::kTooManyConnections:
      return "too many connections from your address, or too many unfinished ones on the "
             "server; trying again";
    case ByeReason::kSlowDown:
      return "too many connections, key exchanges or wrong passwords from your address lately; "
             "trying again";
    case ByeReason::kDraining:
      return "this node of the cluster is shutting down; moving to another node";
    case ByeReason::kClusterUnavailable:
      return "the cluster cannot place a new room now; trying again";
  }
  return "no reason given";
}

std::string refusal_reason(const net::Bye& bye, bool authenticated) {
  if (authenticated) return core::utf8::printable(bye.view());
  return std::string(refusal_text(bye.reason)) +
         " (unauthenticated: nothing proves the server sent this, so its own words are not "
         "shown)";
}

}  // namespace ttycall::client
