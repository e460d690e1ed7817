#include "media/layout.h"

#include <algorithm>
#include <array>

namespace ttycall::media {
namespace {

constexpr int kMinTileCols = 4;
constexpr int kMinTileRows = 2;

struct Grid {
  int columns = 0;
  int rows = 0;
  int tile_cols = 0;
  int tile_rows = 0;
};

// The 4:3 picture that fits a cell box of w x h. A cell is about twice as tall as wide, so
// h rows are as tall as 2h columns are wide, and 4:3 video h rows high is 8h/3 columns wide.
void fit_4_3(int w, int h, int& out_w, int& out_h) {
  if (3 * w <= 8 * h) {
    out_w = w;
    out_h = std::min(h, (3 * w + 4) / 8);
  } else {
    out_w = std::min(w, (8 * h + 1) / 3);
    out_h = h;
  }
}

// The column count whose tiles show the largest picture; ties go to fewer columns.
Grid best_grid(int count, int cols, int rows) {
  Grid best;
  long best_area = 0;
  for (int c = 1; c <= count; ++c) {
    const int r = (count + c - 1) / c;
    const int w = (cols - (c - 1)) / c;
    const int h = (rows - (r - 1)) / r;
    if (w < kMinTileCols || h < kMinTileRows) continue;
    int tw = 0;
    int th = 0;
    fit_4_3(w, h, tw, th);
    if (tw < kMinTileCols || th < kMinTileRows) continue;
    const long area = static_cast<long>(tw) * th;
    if (area > best_area) {
      best_area = area;
      best = {c, r, tw, th};
    }
  }
  return best;
}

}  // namespace

int grid_layout(int count, int cols, int rows, std::span<TileRect> out) {
  if (count <= 0 || count > kMaxTiles || out.size() < static_cast<size_t>(count)) return 0;
  const Grid grid = best_grid(count, cols, rows);
  if (grid.columns == 0) return 0;

  // Tiles keep the picture's shape, so the grid is usually narrower or shorter than the
  // terminal: centre it, and centre an incomplete last row within it.
  const int step_x = grid.tile_cols + 1;
  const int step_y = grid.tile_rows + 1;
  const int left = (cols - (grid.columns * step_x - 1)) / 2;
  const int top = (rows - (grid.rows * step_y - 1)) / 2;
  const int last_row_count = count - (grid.rows - 1) * grid.columns;
  for (int i = 0; i < count; ++i) {
    const int r = i / grid.columns;
    const int c = i % grid.columns;
    int x = left + c * step_x;
    if (r == grid.rows - 1) x += (grid.columns - last_row_count) * step_x / 2;
    out[i] = {x, top + r * step_y, grid.tile_cols, grid.tile_rows};
  }
  return count;
}

int focus_layout(int count, int focus, int cols, int rows, std::span<TileRect> out) {
  if (count <= 0 || count > kMaxTiles || focus < 0 || focus >= count ||
      out.size() < static_cast<size_t>(count)) {
    return 0;
  }
  // A quarter of the rows (at least 4, with a blank row above) for the others, when they fit.
  const int others = count - 1;
  const int strip_rows = others > 0 && rows >= 16 ? std::max(4, rows / 4) : 0;
  const int main_rows = strip_rows > 0 ? rows - strip_rows - 1 : rows;
  std::array<TileRect, kMaxTiles> strip{};
  const int placed = strip_rows > 0 ? grid_layout(others, cols, strip_rows, strip) : 0;

  TileRect big;
  if (grid_layout(1, cols, placed > 0 ? main_rows : rows, {&big, 1}) == 0) return 0;
  for (int i = 0, k = 0; i < count; ++i) {
    if (i == focus) {
      out[i] = big;
    } else if (placed > 0) {
      out[i] = strip[k++];
      out[i].row += main_rows + 1;
    } else {
      out[i] = {};
    }
  }
  return count;
}

}  // namespace ttycall::media
