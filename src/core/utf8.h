#pragma once
// UTF-8, read, written and measured one way for the whole program: strict decoding (only
// the well-formed sequences of Unicode's Table 3-7), encoding, validation, and the number
// of terminal cells text takes. Widths follow wcwidth() and come from a table built into
// the binary (utf8_width_table.h), so they never depend on the locale. Nothing allocates.
#include <array>
#include <cstddef>
#include <cstdint>
#include <span>
#include <string_view>

namespace ttycall::core::utf8 {

constexpr uint32_t kReplacementCharacter = 0xFFFD;  // U+FFFD, shown for what cannot be shown

// One code point read from the front of a byte sequence.
struct Decoded {
  uint32_t code_point = 0;
  size_t length = 0;  // bytes it took, 1..4; 0 when the bytes are not well-formed UTF-8
};

// Reads the code point at the start of `bytes`. Overlong forms, surrogates, code points
// above U+10FFFF, stray continuation bytes and truncated sequences are ill-formed.
Decoded decode(std::span<const uint8_t> bytes);
inline Decoded decode(std::string_view text) {
  return decode({reinterpret_cast<const uint8_t*>(text.data()), text.size()});
}

// A code point as UTF-8.
struct Encoded {
  std::array<uint8_t, 4> bytes{};
  uint8_t length = 0;  // 1..4; 0 for a surrogate or anything above U+10FFFF
};

Encoded encode(uint32_t code_point);

// Whether all of `text` is well-formed UTF-8.
bool is_valid(std::string_view text);

// C0 controls, DEL and C1 controls: what a terminal may act on rather than print.
constexpr bool is_control(uint32_t code_point) {
  return code_point < 0x20 || (code_point >= 0x7F && code_point <= 0x9F);
}

// Terminal cells one code point takes, as wcwidth() counts them: 0 for combining marks and
// other zero-width characters, 2 for East Asian wide and fullwidth characters (emoji
// among them), 1 otherwise; -1 for control characters, surrogates and non-code points.
int code_point_width(uint32_t code_point);

// Cells `text` takes, as wcswidth() counts them: the sum of its code points' widths, or -1
// when it is not well-formed or holds a control character.
int display_width(std::string_view text);

// The longest prefix of `text` that takes at most `cells` cells, cut between code points
// (so a zero-width mark stays with the character before it). It ends early at the first
// ill-formed byte or control character, so its display width is never -1.
std::string_view prefix_of_width(std::string_view text, int cells);

}  // namespace ttycall::core::utf8
