#pragma once
// The one-line chat input at the bottom of the call: opened with `t` or Enter, it takes
// the keys typed until Enter (send) or Escape (cancel), so they are not commands. It holds
// bytes as typed (UTF-8 from the terminal); the client checks them (core/safe_text.h)
// before sending, and the status line shows them only made printable. Fixed memory.
#include <array>
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "net/protocol.h"

namespace ttycall::client {

class ChatInput {
 public:
  enum class Outcome : uint8_t { kTyping, kSend, kCancel };

  bool is_open() const { return open_; }
  void open();
  void close();
  // A key typed while open. Enter sends, Escape cancels, Backspace/DEL removes the last
  // character, other control bytes are ignored, the rest is text (up to the limit).
  Outcome key(uint8_t byte);
  // What was typed, cut to whole UTF-8 sequences.
  std::string_view text() const;

 private:
  std::array<char, net::kMaxChatTextBytes> bytes_{};
  size_t size_ = 0;
  bool open_ = false;
};

}  // namespace ttycall::client
