#pragma once
// The colours of test:solid tiles in a frame a client saved (frame_parser.h): which cells
// show red, green or blue, where those cells are, and a sketch of the frame for failure
// messages. Shared by the tests that check who sees whom.
#include <climits>
#include <string>
#include <string_view>

#include "frame_parser.h"

namespace ttycall::itest {

enum class Hue { kOther, kRed, kGreen, kBlue };

const char* name_of(Hue hue);

// JPEG on the way up moves a solid colour a little ((254,0,0), (0,1,254)...): one channel
// high and the other two low is that colour; in 256 colours, the cube's pure primaries.
Hue classify(const TermColor& c);

// In half-block mode a cell is two pixels: the top one is the foreground of U+2580, the
// bottom one its background. A cell shows a colour when both of its pixels do.
Hue cell_hue(const Cell& cell);

struct Region {
  int cells = 0;
  int top = INT_MAX, left = INT_MAX, bottom = 0, right = 0;  // bounding box, 1-based, inclusive

  void add(int row, int col);
  int box_area() const { return cells == 0 ? 0 : (bottom - top + 1) * (right - left + 1); }
  bool overlaps(const Region& o) const {
    return cells > 0 && o.cells > 0 && top <= o.bottom && o.top <= bottom && left <= o.right &&
           o.left <= right;
  }
  std::string describe() const;
};

// The cells of `frame` that show `hue`.
Region region_of(const ParsedFrame& frame, Hue hue);

// A rough picture of the frame for failure messages: R/G/B for the three colours, '.' for
// other half-block cells, the glyph for text.
std::string sketch(const ParsedFrame& frame);

}  // namespace ttycall::itest
