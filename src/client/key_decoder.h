#pragma once
// Turns the bytes a terminal sends for keys into keys. Most keys are one byte; arrows,
// function keys, Home/End and the like arrive as escape sequences (CSI: ESC [ params final,
// SS3: ESC O final), and Alt+key as ESC key. Each sequence is taken as one unit and
// dropped, so its bytes ('[', 'A', 'C', ...) never act as commands or land in the chat
// input. A lone Escape is a key of its own: the byte after it tells it from a sequence, so
// an ESC that ends what was read stays pending until more bytes come or the reader gives up
// waiting (flush()). Fixed memory, no allocation.
#include <array>
#include <cstdint>

namespace ttycall::client {

class KeyDecoder {
 public:
  static constexpr uint8_t kEscape = 0x1B;
  // Longest CSI taken as a sequence; a longer run of parameter bytes is not a key, and the
  // decoder starts over rather than swallow what follows.
  static constexpr int kMaxSequenceBytes = 32;

  // The keys one byte completes, each a byte to act on (kEscape for the Escape key): none
  // inside or at the end of a sequence, two for an Escape followed by a control key.
  struct Keys {
    std::array<uint8_t, 2> bytes{};
    uint8_t count = 0;
    const uint8_t* begin() const { return bytes.data(); }
    const uint8_t* end() const { return bytes.data() + count; }
  };
  Keys feed(uint8_t byte);
  // A sequence (or an ESC) was begun and waits for more bytes.
  bool pending() const { return state_ != State::kGround; }
  // Nothing more came: a pending lone ESC is the Escape key; a cut sequence is dropped.
  Keys flush();

 private:
  enum class State : uint8_t { kGround, kEscape, kCsi, kSs3 };
  State state_ = State::kGround;
  int sequence_bytes_ = 0;
};

}  // namespace ttycall::client
