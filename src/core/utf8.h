#pragma once
// UTF-8, read, written and measured one way for the whole program: strict decoding (only
// the well-formed sequences of Unicode's Table 3-7), encoding, validation, the number of
// terminal cells text takes, and the check that makes text from the network safe to show.
// Widths follow wcwidth() and come from a table built into the binary
// (utf8_width_table.h), so they never depend on the locale. Nothing allocates but
// printable().
#include <array>
#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
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

// --- Text from elsewhere (the network), made safe to show ---------------------------

// Whether the client may put this code point in a terminal cell as it is: a visible
// character that takes one or two cells by itself. False for C0 and C1 controls and DEL
// (which a terminal acts on), format characters (Unicode category Cf: bidi embeddings,
// overrides and isolates, zero-width spaces and joiners, the BOM, the soft hyphen, tags),
// the line and paragraph separators, surrogates, noncharacters (U+FDD0..U+FDEF and the
// last two code points of every plane), anything above U+10FFFF, and zero-width code
// points such as combining marks (a cell holds one code point, so a mark would join
// whatever the terminal happens to have drawn before it).
bool is_displayable(uint32_t code_point);

// The code point at the front of `text` as it may be shown: a displayable code point, or
// U+FFFD for a rejected code point or for one ill-formed sequence (its maximal subpart, as
// Unicode recommends: a lead byte and the continuation bytes that could still have
// followed it, else the single byte). `length` is the bytes it stands for, 1..4, and 0
// only when `text` is empty. The display width of the result is always 1 or 2.
Decoded decode_displayable(std::string_view text);

// The most bytes sanitize() can write for `in_bytes` bytes of input (every byte U+FFFD).
constexpr size_t max_sanitized_size(size_t in_bytes) {
  return in_bytes * 3;
}

// Writes `in` to `out` with every code point decode_displayable() replaces replaced by
// U+FFFD, so the result is well-formed, holds only displayable code points, and its
// display_width() is the number of code points it has plus one for each wide one. Stops
// at a code point boundary when `out` is full (an `out` of max_sanitized_size(in.size())
// bytes never is). Returns the bytes written.
size_t sanitize(std::string_view in, std::span<char> out);

// sanitize() into a new string, for cold paths (error messages).
std::string printable(std::string_view in);

}  // namespace ttycall::core::utf8
