#include "media/tiles_only.h"

#include <algorithm>
#include <array>
#include <cstring>
#include <limits>

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

// The tile spans of a pixel row, sorted by x, worked out again only at the rows where a tile
// starts or ends (the rows of a grid's tile row all share theirs).
class RowSpans {
 public:
  explicit RowSpans(std::span<const PixelRect> rects) : rects_(rects) {}

  std::span<const std::pair<int, int>> at(int y) {
    if (y < valid_from_ || y >= valid_to_) work_out(y);
    return {spans_.data(), size_t(count_)};
  }

 private:
  void work_out(int y) {
    count_ = 0;
    valid_from_ = y;
    valid_to_ = std::numeric_limits<int>::max();
    for (const PixelRect& r : rects_) {
      if (y >= r.y0 && y < r.y1) {
        spans_[size_t(count_++)] = {r.x0, r.x1};
        valid_to_ = std::min(valid_to_, r.y1);
      } else if (r.y0 > y) {
        valid_to_ = std::min(valid_to_, r.y0);
      }
    }
    std::sort(spans_.begin(), spans_.begin() + count_);
  }

  std::span<const PixelRect> rects_;
  std::array<std::pair<int, int>, kMaxTiles> spans_;
  int count_ = 0;
  int valid_from_ = 0;
  int valid_to_ = 0;  // [valid_from_, valid_to_): the rows spans_ holds for
};

// Pixels [x0, x1) of row y take pixel `from`'s colour (none when the range is empty, where
// `from` may be -1).
void fill_from(const MutableImageView& picture, int y, int x0, int x1, int from) {
  if (x0 >= x1) return;
  const uint8_t* colour = pixel(picture, from, y);
  uint8_t* out = pixel(picture, x0, y);
  for (int x = x0; x < x1; ++x, out += 3) std::memcpy(out, colour, 3);
}

// Bit r of a block's mask: row r of the block row holds tile pixels in that block.
using RowMasks = std::array<uint8_t, kMaxBlocksAcross>;
static_assert(kPaddingBlock == 8, "a block's rows are the bits of one byte");

// Horizontal: each outside pixel of row y whose block has tile pixels in this row takes the
// nearer of the two tile pixels that bound its run, if that one is in its block. Sets bit
// `r` (y's row in its block row) in the masks of the blocks that hold tile pixels of this
// row. Only a run's pixels in the block of the tile pixel before it or of the one after it
// are touched: the blocks between are skipped whole.
void pad_row(const MutableImageView& picture, int y, int r,
             std::span<const std::pair<int, int>> spans, RowMasks& masks) {
  int run_start = 0;  // the first outside pixel of the current run
  for (size_t i = 0; i <= spans.size(); ++i) {
    const int run_end = i < spans.size() ? spans[i].first : picture.width;  // exclusive
    if (run_start < run_end) {
      const int left = run_start - 1;                     // tile pixel or -1
      const int right = i < spans.size() ? run_end : -1;  // tile pixel or -1
      // [run_start, left_end) shares a block with `left`, [right_begin, run_end) with `right`.
      const int left_end =
          left >= 0 ? std::min(run_end, (left / kPaddingBlock + 1) * kPaddingBlock) : run_start;
      const int right_begin =
          right >= 0 ? std::max(run_start, right / kPaddingBlock * kPaddingBlock) : run_end;
      if (left_end <= right_begin) {
        fill_from(picture, y, run_start, left_end, left);
        fill_from(picture, y, right_begin, run_end, right);
      } else {
        // Both in one block (a run shorter than a block): the nearer, the left on a tie.
        const int split = std::clamp((left + right) / 2 + 1, run_start, run_end);
        fill_from(picture, y, run_start, split, left);
        fill_from(picture, y, split, run_end, right);
      }
    }
    if (i < spans.size()) {
      const auto [x0, x1] = spans[i];
      for (int b = x0 / kPaddingBlock; b <= (x1 - 1) / kPaddingBlock; ++b)
        masks[size_t(b)] |= uint8_t(1u << r);
      run_start = std::max(run_start, x1);
    }
  }
}

// Vertical, for the block row starting at `y0`: in each block with tile pixels, each row
// without any copies the nearest row that has (the upper one on a tie).
void pad_columns(const MutableImageView& picture, int y0, const RowMasks& masks) {
  const int rows = std::min(kPaddingBlock, picture.height - y0);
  const unsigned all = (1u << rows) - 1;
  const int blocks = (picture.width + kPaddingBlock - 1) / kPaddingBlock;
  for (int b = 0; b < blocks; ++b) {
    const unsigned mask = masks[size_t(b)];
    if (mask == 0 || mask == all) continue;  // wholly outside or every row has tile pixels
    const int x0 = b * kPaddingBlock;
    const size_t bytes = size_t(std::min(kPaddingBlock, picture.width - x0)) * 3;
    for (int r = 0; r < rows; ++r) {
      if (mask & (1u << r)) continue;
      int from = -1;
      for (int d = 1; d < rows && from < 0; ++d) {
        if (r - d >= 0 && (mask & (1u << (r - d)))) {
          from = r - d;
        } else if (r + d < rows && (mask & (1u << (r + d)))) {
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
  RowSpans spans(shown);
  RowMasks masks;
  for (int y0 = 0; y0 < picture.height; y0 += kPaddingBlock) {
    masks.fill(0);
    for (int r = 0; r < kPaddingBlock && y0 + r < picture.height; ++r) {
      pad_row(picture, y0 + r, r, spans.at(y0 + r), masks);
    }
    pad_columns(picture, y0, masks);
  }
}

void clear_outside_tiles(MutableImageView picture, std::span<const TileRect> tiles) {
  std::array<PixelRect, kMaxTiles> rects;
  const int n = pixel_rects(picture, tiles, rects);
  if (n == 0) return;
  RowSpans spans({rects.data(), size_t(n)});
  for (int y = 0; y < picture.height; ++y) {
    int x = 0;
    for (const auto& [x0, x1] : spans.at(y)) {
      if (x0 > x) std::memset(pixel(picture, x, y), 0, size_t(x0 - x) * 3);
      x = std::max(x, x1);
    }
    if (x < picture.width) std::memset(pixel(picture, x, y), 0, size_t(picture.width - x) * 3);
  }
}

}  // namespace ttycall::media
