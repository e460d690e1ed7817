#include "media/compose.h"

#include <algorithm>
#include <cstring>
#include <type_traits>

#include "core/utf8.h"
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

// " name " centred on the tile's bottom row, one code point a cell, cut to the tile's width.
void draw_label(std::span<OverlayCell> overlay, int view_cols, const TileRect& tile,
                std::string_view name, bool speaking) {
  std::array<uint32_t, kMaxLabelCodePoints + 2> text;
  size_t len = 0;
  text[len++] = ' ';
  while (!name.empty() && len < text.size() - 1) {
    const core::utf8::Decoded d = core::utf8::decode(name);
    text[len++] = d.length == 0 ? '?' : d.code_point;  // an ill-formed byte shows as '?'
    name.remove_prefix(std::max<size_t>(d.length, 1));
  }
  text[len++] = ' ';
  const int width = std::min<int>(int(len), tile.cols);
  const int col = tile.col + (tile.cols - width) / 2;
  const int row = tile.row + tile.rows - 1;
  OverlayCell* cells = overlay.data() + size_t(row) * view_cols + col;
  const uint8_t style = speaking ? kOverlayHighlight : kOverlayLabel;
  for (int i = 0; i < width; ++i) cells[i] = {text[i], style};
}

}  // namespace

ComposedView compose(const ComposeInput& input, ComposeScratch& scratch) {
  const int cols = std::max(input.view.cols, 0);
  const int rows = std::max(input.view.rows, 0);
  const size_t canvas_bytes = size_t(cols) * rows * 2 * 3;
  const size_t cells = size_t(cols) * rows;
  core::grow_to(scratch.canvas, canvas_bytes, scratch.site);
  core::grow_to(scratch.overlay, cells, scratch.site);
  core::grow_to(scratch.text, max_frame_bytes(input.view), scratch.site);
  // The canvas is black and the overlay empty wherever no tile or label lands. An empty
  // overlay cell is all zero bytes, so one memset clears it (fill_n stores field by field).
  static_assert(std::is_trivially_copyable_v<OverlayCell>);
  if (canvas_bytes > 0) std::memset(scratch.canvas.data(), 0, canvas_bytes);
  if (cells > 0) {
    std::memset(static_cast<void*>(scratch.overlay.data()), 0, cells * sizeof(OverlayCell));
  }
  const MutableImageView canvas{scratch.canvas.data(), cols, rows * 2, cols * 3};

  const int tile_count = lay_out(input, cols, rows, scratch.tiles);
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
    if (!source.name.empty()) draw_label(scratch.overlay, cols, t, source.name, source.speaking);
  }

  const size_t text_size =
      render_frame(canvas.view(), input.view, {scratch.overlay.data(), cells}, scratch.text);
  return {{scratch.text.data(), text_size}, {scratch.tiles.data(), size_t(tile_count)}};
}

}  // namespace ttycall::media
