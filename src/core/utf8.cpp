#include "core/utf8.h"

#include <algorithm>
#include <cstring>
#include <iterator>

#include "core/utf8_width_table.h"

namespace ttycall::core::utf8 {
namespace {

constexpr uint32_t kMaxCodePoint = 0x10FFFF;

constexpr bool is_surrogate(uint32_t code_point) {
  return code_point >= 0xD800 && code_point <= 0xDFFF;
}

template <size_t N>
bool in_ranges(const CodePointRange (&ranges)[N], uint32_t code_point) {
  // The first range that ends at or after the code point is the only one that can hold it.
  const CodePointRange* it =
      std::lower_bound(std::begin(ranges), std::end(ranges), code_point,
                       [](const CodePointRange& range, uint32_t cp) { return range.last < cp; });
  return it != std::end(ranges) && it->first <= code_point;
}

// What decode() reads from the front of `bytes`; when it is ill-formed, also how many
// bytes the maximal subpart of the ill-formed sequence takes (1..3).
struct Scan {
  Decoded decoded;
  size_t ill_formed_length = 0;
};

Scan scan(std::span<const uint8_t> bytes) {
  if (bytes.empty()) return {};
  const uint8_t lead = bytes[0];
  if (lead < 0x80) return {{lead, 1}};
  size_t length = 0;
  uint32_t code_point = 0;
  uint8_t second_min = 0x80, second_max = 0xBF;  // what Table 3-7 allows after this lead
  if (lead >= 0xC2 && lead <= 0xDF) {
    length = 2;
    code_point = lead & 0x1Fu;
  } else if (lead >= 0xE0 && lead <= 0xEF) {
    length = 3;
    code_point = lead & 0x0Fu;
    if (lead == 0xE0) second_min = 0xA0;  // below: overlong
    if (lead == 0xED) second_max = 0x9F;  // above: surrogates
  } else if (lead >= 0xF0 && lead <= 0xF4) {
    length = 4;
    code_point = lead & 0x07u;
    if (lead == 0xF0) second_min = 0x90;  // below: overlong
    if (lead == 0xF4) second_max = 0x8F;  // above: beyond U+10FFFF
  } else {
    return {{}, 1};  // a continuation byte, an overlong C0/C1 lead, or F5..FF
  }
  if (bytes.size() < 2 || bytes[1] < second_min || bytes[1] > second_max) return {{}, 1};
  code_point = (code_point << 6) | (bytes[1] & 0x3Fu);
  for (size_t i = 2; i < length; ++i) {
    if (i >= bytes.size() || (bytes[i] & 0xC0) != 0x80) return {{}, i};
    code_point = (code_point << 6) | (bytes[i] & 0x3Fu);
  }
  return {{code_point, length}};
}

constexpr bool is_noncharacter(uint32_t code_point) {
  return (code_point >= 0xFDD0 && code_point <= 0xFDEF) || (code_point & 0xFFFEu) == 0xFFFEu;
}

}  // namespace

Decoded decode(std::span<const uint8_t> bytes) {
  return scan(bytes).decoded;
}

Encoded encode(uint32_t cp) {
  Encoded e;
  if (cp < 0x80) {
    e.bytes = {uint8_t(cp)};
    e.length = 1;
  } else if (cp < 0x800) {
    e.bytes = {uint8_t(0xC0 | cp >> 6), uint8_t(0x80 | (cp & 0x3F))};
    e.length = 2;
  } else if (cp < 0x10000) {
    if (is_surrogate(cp)) return {};
    e.bytes = {uint8_t(0xE0 | cp >> 12), uint8_t(0x80 | (cp >> 6 & 0x3F)),
               uint8_t(0x80 | (cp & 0x3F))};
    e.length = 3;
  } else if (cp <= kMaxCodePoint) {
    e.bytes = {uint8_t(0xF0 | cp >> 18), uint8_t(0x80 | (cp >> 12 & 0x3F)),
               uint8_t(0x80 | (cp >> 6 & 0x3F)), uint8_t(0x80 | (cp & 0x3F))};
    e.length = 4;
  }
  return e;
}

bool is_valid(std::string_view text) {
  while (!text.empty()) {
    const Decoded d = decode(text);
    if (d.length == 0) return false;
    text.remove_prefix(d.length);
  }
  return true;
}

int code_point_width(uint32_t code_point) {
  if (is_control(code_point) || is_surrogate(code_point) || code_point > kMaxCodePoint) {
    return -1;
  }
  if (code_point < kZeroWidthRanges[0].first) return 1;  // ASCII and Latin-1 without a search
  if (in_ranges(kZeroWidthRanges, code_point)) return 0;
  return in_ranges(kWideRanges, code_point) ? 2 : 1;
}

int display_width(std::string_view text) {
  int width = 0;
  while (!text.empty()) {
    const Decoded d = decode(text);
    const int w = d.length == 0 ? -1 : code_point_width(d.code_point);
    if (w < 0) return -1;
    width += w;
    text.remove_prefix(d.length);
  }
  return width;
}

std::string_view prefix_of_width(std::string_view text, int cells) {
  size_t end = 0;
  for (int used = 0; end < text.size();) {
    const Decoded d = decode(text.substr(end));
    const int w = d.length == 0 ? -1 : code_point_width(d.code_point);
    if (w < 0 || used + w > cells) break;
    used += w;
    end += d.length;
  }
  return text.substr(0, end);
}

bool is_displayable(uint32_t code_point) {
  if (code_point >= 0x20 && code_point < 0x7F) return true;  // printable ASCII, the common case
  if (code_point_width(code_point) <= 0) return false;       // controls, non-code points, marks
  return !is_noncharacter(code_point) && !in_ranges(kInvisibleRanges, code_point);
}

Decoded decode_displayable(std::string_view text) {
  const Scan s = scan({reinterpret_cast<const uint8_t*>(text.data()), text.size()});
  if (s.decoded.length == 0) return {kReplacementCharacter, s.ill_formed_length};
  if (!is_displayable(s.decoded.code_point)) return {kReplacementCharacter, s.decoded.length};
  return s.decoded;
}

size_t sanitize(std::string_view in, std::span<char> out) {
  size_t written = 0;
  while (!in.empty()) {
    const Decoded d = decode_displayable(in);
    const Encoded e = encode(d.code_point);
    if (e.length > out.size() - written) break;
    std::memcpy(out.data() + written, e.bytes.data(), e.length);
    written += e.length;
    in.remove_prefix(d.length);
  }
  return written;
}

std::string printable(std::string_view in) {
  std::string out(max_sanitized_size(in.size()), '\0');
  out.resize(sanitize(in, out));
  return out;
}

}  // namespace ttycall::core::utf8
