#pragma once
// `--chat-log FILE`: every chat message the client sees, appended to FILE one a line as
//   TIME<TAB>SENDER<TAB>TEXT
// TIME is the server's, in UTC (2026-12-01T15:24:07.123Z); SENDER and TEXT passed the
// protocol's checks (no control characters, so never a tab or a line break), and are
// written through core::utf8::sanitize all the same. Each line is one write to a file
// opened for appending, so lines of several clients sharing a file never interleave.
#include <string>

#include "core/status.h"
#include "net/protocol.h"

namespace ttycall::client {

class ChatLog {
 public:
  ChatLog() = default;  // writes nothing
  ~ChatLog();
  ChatLog(const ChatLog&) = delete;
  ChatLog& operator=(const ChatLog&) = delete;

  // Opens (creating, mode 0600) `path` for appending.
  core::Status open(const std::string& path);
  bool is_open() const { return fd_ >= 0; }
  void write(const net::ChatMessage& message);

 private:
  int fd_ = -1;
};

}  // namespace ttycall::client
