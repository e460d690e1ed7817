#pragma once
// The one rule for text people type that others see: chat messages and display names.
// Safe text is well-formed UTF-8 of bounded length in which every code point is one a
// terminal shows as it is, taking a cell or two of its own (core::utf8::is_displayable):
// no C0/C1 controls (an ESC or CSI would drive the viewer's terminal), no bidirectional
// embeddings, overrides, isolates or marks (they reorder what follows, so a name could
// fake "(you)"), no zero-width or other format characters (Unicode Cf), no line or
// paragraph separators, no tag characters, no noncharacters and no combining marks (a
// cell holds one code point). check_safe_text() says which rule the first offending code
// point broke, so a refusal can say why. Nothing allocates.
#include <cstddef>
#include <cstdint>
#include <string_view>

namespace ttycall::core {

enum class TextProblem : uint8_t {
  kNone = 0,
  kEmpty,          // no text at all
  kTooLong,        // more bytes than allowed
  kMalformed,      // not well-formed UTF-8
  kControl,        // C0 (including ESC, CR, LF, TAB), DEL or C1
  kBidi,           // U+061C, U+200E/F, U+202A-202E, U+2066-2069
  kLineSeparator,  // U+2028, U+2029
  kTag,            // U+E0000-E007F
  kInvisible,      // other format (Cf) or zero-width characters: ZWSP, ZWJ, BOM, soft hyphen
  kCombining,      // a zero-width mark that would join the cell before it
  kNoncharacter,   // U+FDD0-FDEF, U+xFFFE/U+xFFFF
};

struct TextCheck {
  TextProblem problem = TextProblem::kNone;
  size_t offset = 0;        // byte offset of the offending code point (or byte)
  uint32_t code_point = 0;  // the offending code point (0 when malformed, empty, too long)
  bool ok() const { return problem == TextProblem::kNone; }
};

// Checks `text` against the rule above, with at most `max_bytes` bytes.
TextCheck check_safe_text(std::string_view text, size_t max_bytes);

// A short phrase for a problem, for refusals and logs ("contains a control character").
std::string_view describe(TextProblem problem);

}  // namespace ttycall::core
