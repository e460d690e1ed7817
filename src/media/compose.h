#pragma once
// Composes one view of a call as a picture: lays out a tile per source on a canvas of the
// view's pixel size (cols x rows*2 square pixels: what half blocks show), scales each
// source's picture into its tile (or greys the tile when there is none), and says where
// each name's label goes (its tile's bottom row). The text is the client's job: the labels
// travel as names, never as terminal sequences. The server's compositor calls it once per
// distinct view and tick; the local mirror and the compose benchmark call it too, so all
// three run the same code.
//
// The working memory is a ComposeScratch the caller owns. It grows, counted under the
// caller's allocation site, only when a larger view than before appears: composing views
// of sizes seen before does not allocate. One scratch serves one thread at a time.
#include <array>
#include <cstddef>
#include <cstdint>
#include <span>
#include <string_view>
#include <vector>

#include "core/alloc_accounting.h"
#include "media/image.h"
#include "media/layout.h"

namespace ttycall::media {

enum class TileLayout : uint8_t {
  kGrid,   // every source the same size (grid_layout)
  kFocus,  // the source at `focus` large, the others in a strip below (focus_layout)
  kFill,   // the first source edge to edge and nothing else (the local mirror)
};

// The grey of a tile that has no picture (camera off, or no frame yet).
constexpr std::array<uint8_t, 3> kNoPictureFill = {28, 28, 36};

// What one tile shows.
struct TileSource {
  ImageView picture;      // rgb == nullptr: no picture, the tile is grey
  std::string_view name;  // UTF-8, the tile's label; empty: no label
  bool speaking = false;  // the label is highlighted
};

struct ComposeInput {
  int cols = 0;  // the view in terminal cells; the picture is cols x rows*2 pixels
  int rows = 0;
  TileLayout layout = TileLayout::kGrid;
  int focus = 0;                        // with kFocus: the index of the large tile
  std::span<const TileSource> sources;  // one per tile, in tile order (at most kMaxTiles)
};

// A name to draw in cells [col, col + width) of `row`, centred (by the client).
struct TileLabel {
  int col = 0;
  int row = 0;
  int width = 0;
  bool speaking = false;
  std::string_view name;  // points into the ComposeInput's source
  int source = 0;         // the index of the source it names
};

struct ComposeScratch {
  explicit ComposeScratch(const core::AllocSite& allocation_site) : site(allocation_site) {}

  const core::AllocSite& site;  // what its growth is counted under
  std::vector<uint8_t> canvas;  // cols x rows*2 RGB24
  std::array<TileRect, kMaxTiles> tiles{};
  std::array<TileLabel, kMaxTiles> labels{};
};

struct ComposedView {
  ImageView picture;                  // cols x rows*2; rgb == nullptr for an empty view
  std::span<const TileLabel> labels;  // one per shown tile with a name
  std::span<const TileRect> tiles;    // where each source went (cols == 0: not shown); empty
                                      // when the view is too small to show every tile
};

// Composes `input` in `scratch`; the result points into `scratch` until its next use.
ComposedView compose(const ComposeInput& input, ComposeScratch& scratch);

}  // namespace ttycall::media
