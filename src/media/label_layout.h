#pragma once
// Tile labels (and any other short text from the network) laid out into the overlay by
// display width. The text is UTF-8 as it arrived: each code point is checked with
// core::utf8::decode_displayable, so control characters, escape sequences, bidi controls,
// zero-width characters and ill-formed bytes land in the overlay as U+FFFD cells, never as
// themselves, and a label takes exactly the cells its box gives it.
#include <cstdint>
#include <span>
#include <string_view>

#include "media/overlay_cell.h"

namespace ttycall::media {

struct OverlayLabel {
  int col = 0;  // the box: cells [col, col + width) of `row`, 0-based
  int row = 0;
  int width = 0;
  uint8_t style = kOverlayLabel;  // OverlayStyle
  std::string_view text;          // UTF-8 from the network, unchecked
};

// Draws " text " centred in the label's box of a cols x rows overlay (row-major, one cell a
// terminal cell), by display width: a wide character takes two cells (its code point, then
// kWideTail), a rejected code point or ill-formed sequence shows as U+FFFD (one cell).
// Text that does not fit is cut at a code point boundary, keeping one space on each side
// when the box is at least three cells wide; a wide character that would straddle the end
// is left out, and the cell it leaves is not written. Only cells inside both the box and
// the overlay are written, whatever the numbers (negative, huge, a row out of range, an
// `overlay` smaller than cols x rows: then nothing); a wide character the overlay's edge
// would cut in half becomes a space. Labels should not overlap: a label drawn over half of
// another's wide character leaves the other half as it was. Does not allocate.
void draw_label(std::span<OverlayCell> overlay, int cols, int rows, const OverlayLabel& label);

}  // namespace ttycall::media
