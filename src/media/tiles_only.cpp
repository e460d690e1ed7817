#include "media/tiles_only.h"

#include <algorithm>
#include <array>
#include <bitset>
#include <cstring>

namespace ttycall::media {
namespace {

// The largest picture is kMaxTerminalCols x 2 * kMaxTerminalRows = 1000 x 1000 pixels.
constexpr int kMaxBlocksAcross = (1000 + kPaddingBlock - 1) / kPaddingBlock;

struct PixelRect {
  int x0 = 0, y0 = 0, x1 = 0, y1 = 0;  // [x0, x1) x [y0, y1)
};

// The shown tiles in pixels, clipped to the picture; returns how many.
int pixel_rects(const MutableImageView& picture, std::span<const TileRect> tiles,
                std::array<PixelRect, kMaxTiles>& out) {
  int n = 0;
  for (const TileRect& t : tiles) {
    if (n == kMaxTiles) break;
    const PixelRect r{std::max(t.col, 0), std::max(t.row * 2, 0),
                      std::min(t.col + t.cols, picture.width),
                      std::min((t.row + t.rows) * 2, picture.height)};
    if (t.cols > 0 && t.rows > 0 && r.x0 < r.x1 && r.y0 < r.y1) out[size_t(n++)] = r;
  }
  return n;
}

uint8_t* pixel(const MutableImageView& picture, int x, int y) {
  return picture.rgb + long(y) * picture.stride + x * 3;
}

// The tile spans of pixel row y, sorted by x; returns how many.
int row_spans(std::span<const PixelRect> rects, int y,
              std::array<std::pair<int, int>, kMaxTiles>& out) {
  int count = 0;
  for (const PixelRect& r : rects) {
    if (y >= r.y0 && y < r.y1) out[size_t(count++)] = {r.x0, r.x1};
  }
  std::sort(out.begin(), out.begin() + count);
  return count;
}

// Horizontal: each outside pixel of row y whose block has tile pixels in this row takes the
// nearer of the two tile pixels that bound its run, if that one is in its block. Marks the
// blocks of this row that hold tile pixels.
void pad_row(const MutableImageView& picture, int y, std::span<const std::pair<int, int>> spans,
             std::bitset<kMaxBlocksAcross>& has_tile) {
  int run_start = 0;  // the first outside pixel of the current run
  for (size_t i = 0; i <= spans.size(); ++i) {
    const int run_end = i < spans.size() ? spans[i].first : picture.width;  // exclusive
    const int left = run_start - 1;                                         // tile pixel or -1
    const int right = i < spans.size() ? run_end : -1;
    for (int x = run_start; x < run_end; ++x) {
      const int block_x0 = x / kPaddingBlock * kPaddingBlock;
      const bool left_ok = left >= block_x0;
      const bool right_ok = right >= 0 && right < block_x0 + kPaddingBlock;
      if (!left_ok && !right_ok) {
        // Nothing in this block's row: skip to the next block.
        x = block_x0 + kPaddingBlock - 1;
        continue;
      }
      const int from = left_ok && (!right_ok || x - left <= right - x) ? left : right;
      std::memcpy(pixel(picture, x, y), pixel(picture, from, y), 3);
    }
    if (i < spans.size()) {
      const auto [x0, x1] = spans[i];
      for (int b = x0 / kPaddingBlock; b <= (x1 - 1) / kPaddingBlock; ++b)
        has_tile[size_t(b)] = true;
      run_start = std::max(run_start, x1);
    }
  }
}

// Vertical, for the block row starting at `y0`: in each block with tile pixels, each row
// without any copies the nearest row that has (the upper one on a tie).
void pad_columns(const MutableImageView& picture, int y0,
                 const std::array<std::bitset<kMaxBlocksAcross>, kPaddingBlock>& has_tile) {
  const int rows = std::min(kPaddingBlock, picture.height - y0);
  const int blocks = (picture.width + kPaddingBlock - 1) / kPaddingBlock;
  for (int b = 0; b < blocks; ++b) {
    int filled = 0;
    for (int r = 0; r < rows; ++r) filled += has_tile[size_t(r)][size_t(b)];
    if (filled == 0 || filled == rows) continue;
    const int x0 = b * kPaddingBlock;
    const size_t bytes = size_t(std::min(kPaddingBlock, picture.width - x0)) * 3;
    for (int r = 0; r < rows; ++r) {
      if (has_tile[size_t(r)][size_t(b)]) continue;
      int from = -1;
      for (int d = 1; d < rows && from < 0; ++d) {
        if (r - d >= 0 && has_tile[size_t(r - d)][size_t(b)]) {
          from = r - d;
        } else if (r + d < rows && has_tile[size_t(r + d)][size_t(b)]) {
          from = r + d;
        }
      }
      std::memcpy(pixel(picture, x0, y0 + r), pixel(picture, x0, y0 + from), bytes);
    }
  }
}

}  // namespace

void pad_outside_tiles(MutableImageView picture, std::span<const TileRect> tiles) {
  std::array<PixelRect, kMaxTiles> rects;
  const int n = pixel_rects(picture, tiles, rects);
  if (n == 0 || picture.width > kMaxBlocksAcross * kPaddingBlock) return;
  const std::span<const PixelRect> shown(rects.data(), size_t(n));
  std::array<std::pair<int, int>, kMaxTiles> spans;
  std::array<std::bitset<kMaxBlocksAcross>, kPaddingBlock> has_tile;
  for (int y0 = 0; y0 < picture.height; y0 += kPaddingBlock) {
    for (int r = 0; r < kPaddingBlock && y0 + r < picture.height; ++r) {
      has_tile[size_t(r)].reset();
      const int count = row_spans(shown, y0 + r, spans);
      pad_row(picture, y0 + r, {spans.data(), size_t(count)}, has_tile[size_t(r)]);
    }
    pad_columns(picture, y0, has_tile);
  }
}

void clear_outside_tiles(MutableImageView picture, std::span<const TileRect> tiles) {
  std::array<PixelRect, kMaxTiles> rects;
  const int n = pixel_rects(picture, tiles, rects);
  if (n == 0) return;
  std::array<std::pair<int, int>, kMaxTiles> spans;
  for (int y = 0; y < picture.height; ++y) {
    const int count = row_spans({rects.data(), size_t(n)}, y, spans);
    int x = 0;
    for (int i = 0; i < count; ++i) {
      const auto [x0, x1] = spans[size_t(i)];
      if (x0 > x) std::memset(pixel(picture, x, y), 0, size_t(x0 - x) * 3);
      x = std::max(x, x1);
    }
    if (x < picture.width) std::memset(pixel(picture, x, y), 0, size_t(picture.width - x) * 3);
  }
}

}  // namespace ttycall::media
