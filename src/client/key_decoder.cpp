#include "client/key_decoder.h"

namespace ttycall::client {
namespace {
// ECMA-48: a CSI's parameter bytes are 0x30-0x3F, its intermediates 0x20-0x2F, and its
// final byte 0x40-0x7E.
constexpr bool is_final(uint8_t byte) {
  return byte >= 0x40 && byte <= 0x7E;
}
constexpr bool is_parameter_or_intermediate(uint8_t byte) {
  return byte >= 0x20 && byte <= 0x3F;
}
KeyDecoder::Keys none() {
  return {};
}
KeyDecoder::Keys one(uint8_t key) {
  return {{key, 0}, 1};
}
}  // namespace

KeyDecoder::Keys KeyDecoder::feed(uint8_t byte) {
  switch (state_) {
    case State::kGround:
      if (byte != kEscape) return one(byte);
      state_ = State::kEscape;
      return none();
    case State::kEscape:
      if (byte == '[') {
        state_ = State::kCsi;
        sequence_bytes_ = 0;
        return none();
      }
      if (byte == 'O') {
        state_ = State::kSs3;
        return none();
      }
      if (byte == kEscape) return one(kEscape);  // Escape pressed, and another ESC begins
      state_ = State::kGround;
      // Escape then a control key (Enter, Ctrl-C): both. Alt+key (ESC and a printable
      // byte): dropped whole, it is no command of ours.
      if (byte < 0x20 || byte == 0x7F) return {{kEscape, byte}, 2};
      return none();
    case State::kSs3:
      state_ = State::kGround;  // ESC O and one byte: an arrow or F1-F4 in application mode
      return none();
    case State::kCsi:
      if (is_final(byte)) {
        state_ = State::kGround;
        return none();
      }
      if (is_parameter_or_intermediate(byte) && ++sequence_bytes_ < kMaxSequenceBytes) {
        return none();
      }
      // Not a sequence after all (a control, or endless parameters): start over from here.
      state_ = State::kGround;
      return feed(byte);
  }
  return none();
}

KeyDecoder::Keys KeyDecoder::flush() {
  const bool lone_escape = state_ == State::kEscape;
  state_ = State::kGround;
  return lone_escape ? one(kEscape) : none();
}

}  // namespace ttycall::client
