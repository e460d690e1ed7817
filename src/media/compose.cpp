#include "media/compose.h"

#include <algorithm>
#include <cstring>

#include "media/scale.h"

namespace ttycall::media {
namespace {

// Writes the tiles of `input` for a cols x rows view into `out`; returns how many (0: the
// view is too small for them all).
int lay_out(const ComposeInput& input, int cols, int rows, std::span<TileRect> out) {
  if (input.sources.size() > size_t(kMaxTiles)) return 0;
  const int count = int(input.sources.size());
  switch (input.layout) {
    case TileLayout::kGrid:
      return grid_layout(count, cols, rows, out);
    case TileLayout::kFocus:
      return focus_layout(count, input.focus, cols, rows, out);
    case TileLayout::kFill:
      if (count == 0) return 0;
      std::fill_n(out.begin(), count, TileRect{});
      out[0] = {0, 0, cols, rows};
      return count;
  }
  return 0;
}

}  // namespace

ComposedView compose(const ComposeInput& input, ComposeScratch& scratch) {
  const int cols = std::max(input.cols, 0);
  const int rows = std::max(input.rows, 0);
  const size_t canvas_bytes = size_t(cols) * rows * 2 * 3;
  if (canvas_bytes == 0) return {};
  core::grow_to(scratch.canvas, canvas_bytes, scratch.site);
  // The canvas is black wherever no tile lands.
  std::memset(scratch.canvas.data(), 0, canvas_bytes);
  const MutableImageView canvas{scratch.canvas.data(), cols, rows * 2, cols * 3};

  const int tile_count = lay_out(input, cols, rows, scratch.tiles);
  int label_count = 0;
  for (int i = 0; i < tile_count; ++i) {
    const TileRect& t = scratch.tiles[i];
    if (t.cols == 0) continue;  // left out of a focus layout
    const TileSource& source = input.sources[i];
    const MutableImageView tile = canvas.sub(t.col, t.row * 2, t.cols, t.rows * 2);
    if (source.picture.rgb != nullptr) {
      scale_cover(source.picture, tile);
    } else {
      fill(tile, kNoPictureFill[0], kNoPictureFill[1], kNoPictureFill[2]);
    }
    if (!source.name.empty()) {
      scratch.labels[label_count++] = {t.col,           t.row + t.rows - 1, t.cols,
                                       source.speaking, source.name,        i};
    }
  }
  return {canvas.view(),
          {scratch.labels.data(), size_t(label_count)},
          {scratch.tiles.data(), size_t(tile_count)}};
}

}  // namespace ttycall::media
