#pragma once
// Pictures coded tile by tile's worth: the gutters and margins around a view's tiles are
// black on the canvas, and a JPEG block that holds a tile's edge beside a strip of black
// spends most of its bytes, and rings most, on that edge. The server fills the outside
// pixels of such blocks from the tile before encoding (pad_outside_tiles), the tiles travel
// with the picture, and the receiver paints everything outside them black again
// (clear_outside_tiles): the same picture for about a quarter fewer bytes at 8 tiles, and
// less error inside the tiles (BENCHMARKS.md, "Tiles only").
#include <span>

#include "media/image.h"
#include "media/layout.h"

namespace ttycall::media {

// The side of a JPEG block at 4:4:4, the unit the padding works in.
constexpr int kPaddingBlock = 8;

// In every 8x8 block of `picture` (from its origin) that holds pixels of a tile and pixels
// outside every tile, each outside pixel takes the value of the nearest tile pixel of its
// row in the block, and rows of the block without one copy the nearest row that has. Blocks
// wholly inside or wholly outside the tiles are left as they are. `tiles` are in cells (a
// cell is one pixel wide and two high); a tile with cols == 0 is not shown. A picture wider
// than 1000 pixels (the protocol's widest view) is left as it is. Does not allocate.
void pad_outside_tiles(MutableImageView picture, std::span<const TileRect> tiles);

// Paints black every pixel of `picture` outside `tiles` (cells, as above). No tiles: the
// whole picture is the picture, nothing is painted. Does not allocate.
void clear_outside_tiles(MutableImageView picture, std::span<const TileRect> tiles);

}  // namespace ttycall::media
