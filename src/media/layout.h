#pragma once
// Where each participant's tile goes in a viewer's terminal.
//
// The grid adapts to the number of tiles and the terminal's shape: it picks the number of
// columns that makes tiles largest for 4:3 video, given that a terminal cell is about
// twice as tall as it is wide. Tiles are separated by one blank cell; an incomplete last
// row is centred. Order is row-major, in the order the tiles are given.
#include <span>

namespace ttycall::media {

struct TileRect {
  int col = 0;  // left cell, 0-based
  int row = 0;  // top cell, 0-based
  int cols = 0;
  int rows = 0;
};

constexpr int kMaxTiles = 64;

// Writes `count` rects into `out` (out.size() >= count) for a cols x rows terminal.
// Returns the number written: `count`, or 0 when the terminal is too small to show every
// tile at least 4 cells wide and 2 rows high.
int grid_layout(int count, int cols, int rows, std::span<TileRect> out);

// Focus layout: tile `focus` (0 <= focus < count) takes most of the terminal, the others
// share a strip along the bottom. Others that do not fit the strip get an empty rect
// (cols == 0: not shown). Returns `count`, or 0 when even the focused tile does not fit.
int focus_layout(int count, int focus, int cols, int rows, std::span<TileRect> out);

}  // namespace ttycall::media
