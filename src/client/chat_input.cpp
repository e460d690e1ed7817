#include "client/chat_input.h"

namespace ttycall::client {
namespace {
constexpr bool is_continuation(uint8_t byte) {
  return (byte & 0xC0) == 0x80;
}
}  // namespace

void ChatInput::open() {
  open_ = true;
  size_ = 0;
}

void ChatInput::close() {
  open_ = false;
  size_ = 0;
}

ChatInput::Outcome ChatInput::key(uint8_t byte) {
  switch (byte) {
    case '\r':
    case '\n':
      return Outcome::kSend;
    case 0x1B:  // Escape
    case 0x03:  // Ctrl-C cancels the input, not the call
      return Outcome::kCancel;
    case 0x7F:
    case 0x08:
      while (size_ > 0 && is_continuation(uint8_t(bytes_[size_ - 1]))) --size_;
      if (size_ > 0) --size_;
      return Outcome::kTyping;
    default:
      if (byte < 0x20) return Outcome::kTyping;  // other controls: ignored
      if (size_ < bytes_.size()) bytes_[size_++] = char(byte);
      return Outcome::kTyping;
  }
}

std::string_view ChatInput::text() const {
  // A multi-byte character cut by the limit (or still being typed) is left out.
  size_t end = size_;
  size_t start = end;
  while (start > 0 && is_continuation(uint8_t(bytes_[start - 1]))) --start;
  if (start > 0) {
    const uint8_t lead = uint8_t(bytes_[start - 1]);
    const size_t need = lead >= 0xF0 ? 4 : lead >= 0xE0 ? 3 : lead >= 0xC0 ? 2 : 1;
    if (end - (start - 1) < need) end = start - 1;
  }
  return {bytes_.data(), end};
}

}  // namespace ttycall::client
