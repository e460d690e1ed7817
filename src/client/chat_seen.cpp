#include "client/chat_seen.h"

namespace ttycall::client {

bool ChatSeen::first_time(const net::ChatMessage& message) {
  const bool history = (message.flags & net::kChatHistory) != 0;
  if (history && message.time_us <= newest_us_) return false;
  if (message.time_us > newest_us_) newest_us_ = message.time_us;
  return true;
}

}  // namespace ttycall::client
