#pragma once
// Which chat messages a client has already shown. A member who reconnects joins the room
// anew and is sent its history again; without this its chat log and panel would hold those
// messages twice. The server gives the messages of a room strictly rising times (see
// docs/PROTOCOL.md), so the newest time seen is all there is to remember: a history message
// (kChatHistory) no later than it was seen before. Live messages are always new; a room
// made anew (the server restarted) has later times than anything seen before it.
#include <cstdint>

#include "net/protocol.h"

namespace ttycall::client {

class ChatSeen {
 public:
  // Whether `message` is new to us (and from now on, seen).
  bool first_time(const net::ChatMessage& message);

 private:
  uint64_t newest_us_ = 0;
};

}  // namespace ttycall::client
