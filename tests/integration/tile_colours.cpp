#include "tile_colours.h"

#include <algorithm>

namespace ttycall::itest {
namespace {

constexpr std::string_view kUpperHalfBlock = "\xE2\x96\x80";  // U+2580

}  // namespace

const char* name_of(Hue hue) {
  switch (hue) {
    case Hue::kRed:
      return "red";
    case Hue::kGreen:
      return "green";
    case Hue::kBlue:
      return "blue";
    case Hue::kOther:
      return "other";
  }
  return "?";
}

Hue classify(const TermColor& c) {
  if (c.kind == TermColor::Kind::kRgb) {
    auto high = [](uint8_t v) { return v >= 200; };
    auto low = [](uint8_t v) { return v <= 60; };
    if (high(c.r) && low(c.g) && low(c.b)) return Hue::kRed;
    if (low(c.r) && high(c.g) && low(c.b)) return Hue::kGreen;
    if (low(c.r) && low(c.g) && high(c.b)) return Hue::kBlue;
  } else if (c.kind == TermColor::Kind::kIndexed) {
    // The pure primaries of the xterm 6x6x6 colour cube.
    if (c.index == 196) return Hue::kRed;
    if (c.index == 46) return Hue::kGreen;
    if (c.index == 21) return Hue::kBlue;
  }
  return Hue::kOther;
}

Hue cell_hue(const Cell& cell) {
  if (cell.glyph != kUpperHalfBlock) return Hue::kOther;
  const Hue top = classify(cell.fg);
  return top == classify(cell.bg) ? top : Hue::kOther;
}

void Region::add(int row, int col) {
  ++cells;
  top = std::min(top, row);
  bottom = std::max(bottom, row);
  left = std::min(left, col);
  right = std::max(right, col);
}

std::string Region::describe() const {
  return std::to_string(cells) + " cells in rows " + std::to_string(top) + "-" +
         std::to_string(bottom) + ", columns " + std::to_string(left) + "-" + std::to_string(right);
}

Region region_of(const ParsedFrame& frame, Hue hue) {
  Region region;
  for (int r = 1; r <= frame.rows; ++r) {
    for (int c = 1; c <= frame.cols; ++c) {
      if (cell_hue(frame.at(r, c)) == hue) region.add(r, c);
    }
  }
  return region;
}

std::string sketch(const ParsedFrame& frame) {
  std::string out;
  for (int r = 1; r <= frame.rows; ++r) {
    const std::string text = frame.row_ascii(r);
    for (int c = 1; c <= frame.cols; ++c) {
      const Cell& cell = frame.at(r, c);
      switch (cell_hue(cell)) {
        case Hue::kRed:
          out += 'R';
          break;
        case Hue::kGreen:
          out += 'G';
          break;
        case Hue::kBlue:
          out += 'B';
          break;
        case Hue::kOther: {
          const char ch = text[size_t(c - 1)];
          out += ch == '\0' ? '?' : ch == '\x01' ? '.' : ch;
        }
      }
    }
    out += '\n';
  }
  return out;
}

}  // namespace ttycall::itest
