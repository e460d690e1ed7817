#include "core/safe_text.h"

#include "core/utf8.h"

namespace ttycall::core {
namespace {

constexpr bool is_bidi_control(uint32_t cp) {
  return cp == 0x061C || cp == 0x200E || cp == 0x200F || (cp >= 0x202A && cp <= 0x202E) ||
         (cp >= 0x2066 && cp <= 0x2069);
}

constexpr bool is_noncharacter(uint32_t cp) {
  return (cp >= 0xFDD0 && cp <= 0xFDEF) || (cp & 0xFFFEu) == 0xFFFEu;
}

// Why a code point that is_displayable() refuses is refused, most specific rule first.
TextProblem classify(uint32_t cp) {
  if (utf8::is_control(cp)) return TextProblem::kControl;
  if (is_bidi_control(cp)) return TextProblem::kBidi;
  if (cp == 0x2028 || cp == 0x2029) return TextProblem::kLineSeparator;
  if (cp >= 0xE0000 && cp <= 0xE007F) return TextProblem::kTag;
  if (is_noncharacter(cp)) return TextProblem::kNoncharacter;
  // What is left: format characters and zero-width code points. Combining marks are the
  // zero-width ones that are not format characters.
  if (utf8::code_point_width(cp) == 0) {
    const bool format = cp == 0xAD || (cp >= 0x200B && cp <= 0x200D) ||
                        (cp >= 0x2060 && cp <= 0x206F) || cp == 0xFEFF ||
                        (cp >= 0xFFF9 && cp <= 0xFFFB) || cp == 0x180E;
    if (!format) return TextProblem::kCombining;
  }
  return TextProblem::kInvisible;
}

}  // namespace

TextCheck check_safe_text(std::string_view text, size_t max_bytes) {
  if (text.empty()) return {TextProblem::kEmpty};
  if (text.size() > max_bytes) return {TextProblem::kTooLong, max_bytes};
  size_t offset = 0;
  while (offset < text.size()) {
    const utf8::Decoded d = utf8::decode(text.substr(offset));
    if (d.length == 0) return {TextProblem::kMalformed, offset};
    if (!utf8::is_displayable(d.code_point)) {
      return {classify(d.code_point), offset, d.code_point};
    }
    offset += d.length;
  }
  return {};
}

std::string_view describe(TextProblem problem) {
  switch (problem) {
    case TextProblem::kNone:
      return "fine";
    case TextProblem::kEmpty:
      return "is empty";
    case TextProblem::kTooLong:
      return "is too long";
    case TextProblem::kMalformed:
      return "is not valid UTF-8";
    case TextProblem::kControl:
      return "contains a control character (such as an escape sequence or a line break)";
    case TextProblem::kBidi:
      return "contains a bidirectional override, isolate or mark";
    case TextProblem::kLineSeparator:
      return "contains a line or paragraph separator";
    case TextProblem::kTag:
      return "contains a tag character";
    case TextProblem::kInvisible:
      return "contains an invisible format character (such as a zero-width space or joiner)";
    case TextProblem::kCombining:
      return "contains a combining mark (use the precomposed character)";
    case TextProblem::kNoncharacter:
      return "contains a Unicode noncharacter";
  }
  return "is not allowed";
}

}  // namespace ttycall::core
