// Pictures of their tiles only: the server's padding touches only the blocks that straddle a
// tile's edge, and only their pixels outside the tiles, each from the nearest tile pixel; the
// receiver's clearing paints exactly the pixels outside every tile black.
#include "media/tiles_only.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <array>
#include <cstdint>
#include <cstdlib>
#include <vector>

#include "media/jpeg_codec.h"
#include "media/jpeg_tables.h"

namespace ttycall::media {
namespace {

struct Picture {
  Picture(int w, int h) : width(w), height(h), rgb(size_t(w) * h * 3) {}
  MutableImageView view() { return {rgb.data(), width, height, width * 3}; }
  std::array<uint8_t, 3> at(int x, int y) const {
    const uint8_t* p = rgb.data() + (size_t(y) * width + x) * 3;
    return {p[0], p[1], p[2]};
  }
  void set(int x, int y, std::array<uint8_t, 3> c) {
    uint8_t* p = rgb.data() + (size_t(y) * width + x) * 3;
    p[0] = c[0], p[1] = c[1], p[2] = c[2];
  }
  int width, height;
  std::vector<uint8_t> rgb;
};

bool inside(std::span<const TileRect> tiles, int x, int y) {
  for (const TileRect& t : tiles) {
    if (x >= t.col && x < t.col + t.cols && y >= t.row * 2 && y < (t.row + t.rows) * 2) return true;
  }
  return false;
}

// Every tile pixel a colour of its own (x, y and a tile mark), everything else black.
Picture canvas(int w, int h, std::span<const TileRect> tiles) {
  Picture p(w, h);
  for (int y = 0; y < h; ++y) {
    for (int x = 0; x < w; ++x) {
      if (inside(tiles, x, y)) p.set(x, y, {uint8_t(x), uint8_t(y), 200});
    }
  }
  return p;
}

TEST(TilesOnly, PaddingFillsStraddlingBlocksFromTheNearestTilePixelOfTheRow) {
  // One tile of cells [3, 13) x [1, 5): pixels x 3..12, y 2..9 of a 24 x 16 picture.
  const std::array<TileRect, 1> tiles = {TileRect{3, 1, 10, 4}};
  Picture p = canvas(24, 16, tiles);
  const Picture before = p;
  pad_outside_tiles(p.view(), tiles);
  for (int y = 0; y < 16; ++y) {
    for (int x = 0; x < 24; ++x) {
      if (inside(tiles, x, y)) {
        EXPECT_EQ(p.at(x, y), before.at(x, y)) << x << "," << y;  // tiles untouched
        continue;
      }
      const int bx = x / 8 * 8, by = y / 8 * 8;
      const bool block_has_tile = bx < 13 && bx + 8 > 3 && by < 10 && by + 8 > 2;
      if (!block_has_tile) {
        EXPECT_EQ(p.at(x, y), (std::array<uint8_t, 3>{0, 0, 0})) << x << "," << y;
        continue;
      }
      // Within the block: the row's nearest tile pixel (clamped into the tile and block),
      // and for a row with none, the nearest row of the block that has one.
      const int sx = std::clamp(x, std::max(3, bx), std::min(12, bx + 7));
      const int sy = std::clamp(y, std::max(2, by), std::min(9, by + 7));
      EXPECT_EQ(p.at(x, y), before.at(sx, sy)) << x << "," << y;
    }
  }
}

// The rule by brute force: in each block with tile pixels and outside pixels, an outside
// pixel takes the nearest tile pixel of its row in the block (the left one on a tie); a row
// of the block with none copies the nearest row that has one (the upper one on a tie).
Picture reference_padding(const Picture& in, std::span<const TileRect> tiles) {
  Picture out = in;
  for (int by = 0; by < in.height; by += 8) {
    for (int bx = 0; bx < in.width; bx += 8) {
      const int x1 = std::min(bx + 8, in.width), y1 = std::min(by + 8, in.height);
      int inside_count = 0;
      for (int y = by; y < y1; ++y) {
        for (int x = bx; x < x1; ++x) inside_count += inside(tiles, x, y);
      }
      if (inside_count == 0 || inside_count == (x1 - bx) * (y1 - by)) continue;
      std::array<bool, 8> has{};
      for (int y = by; y < y1; ++y) {
        for (int x = bx; x < x1; ++x) {
          if (inside(tiles, x, y)) continue;
          for (int d = 1; d < 8; ++d) {
            if (x - d >= bx && inside(tiles, x - d, y)) {
              out.set(x, y, in.at(x - d, y));
              break;
            }
            if (x + d < x1 && inside(tiles, x + d, y)) {
              out.set(x, y, in.at(x + d, y));
              break;
            }
          }
        }
        for (int x = bx; x < x1; ++x)
          has[size_t(y - by)] = has[size_t(y - by)] || inside(tiles, x, y);
      }
      for (int y = by; y < y1; ++y) {
        if (has[size_t(y - by)]) continue;
        for (int d = 1; d < 8; ++d) {
          const int from = y - d >= by && has[size_t(y - d - by)]  ? y - d
                           : y + d < y1 && has[size_t(y + d - by)] ? y + d
                                                                   : -1;
          if (from < 0) continue;
          for (int x = bx; x < x1; ++x) out.set(x, y, out.at(x, from));
          break;
        }
      }
    }
  }
  return out;
}

TEST(TilesOnly, PaddingFollowsTheRuleOnEveryGrid) {
  // Grids of 1-20 tiles on views of many sizes, gutters and margins off the block grid,
  // blocks touched by one tile (the fast path) and by several (the general one).
  int checked = 0;
  for (int count = 1; count <= 20; ++count) {
    for (const auto& [cols, rows] : {std::pair{160, 48}, std::pair{97, 31}, std::pair{61, 22}}) {
      std::array<TileRect, kMaxTiles> rects{};
      const int n = grid_layout(count, cols, rows, rects);
      if (n == 0) continue;
      const std::span<const TileRect> tiles(rects.data(), size_t(n));
      Picture p = canvas(cols, rows * 2, tiles);
      const Picture want = reference_padding(p, tiles);
      pad_outside_tiles(p.view(), tiles);
      ASSERT_EQ(p.rgb, want.rgb) << count << " tiles at " << cols << "x" << rows;
      ++checked;
    }
  }
  EXPECT_GT(checked, 40);
}

TEST(TilesOnly, BlocksWhollyInsideOrOutsideAreLeftAlone) {
  // Tiles aligned to the blocks: nothing straddles, nothing changes.
  const std::array<TileRect, 2> tiles = {TileRect{0, 0, 8, 4}, TileRect{16, 4, 8, 4}};
  Picture p = canvas(32, 16, tiles);
  p.set(12, 3, {1, 2, 3});  // a stray pixel in a block outside every tile stays
  const Picture before = p;
  pad_outside_tiles(p.view(), tiles);
  EXPECT_EQ(p.rgb, before.rgb);
  // Two tiles that meet inside one block (no gutter) fill it: nothing to pad either.
  const std::array<TileRect, 2> meeting = {TileRect{0, 0, 5, 4}, TileRect{5, 0, 3, 4}};
  Picture q = canvas(8, 8, meeting);
  const Picture q_before = q;
  pad_outside_tiles(q.view(), meeting);
  EXPECT_EQ(q.rgb, q_before.rgb);
}

TEST(TilesOnly, ClearingPaintsExactlyWhatIsOutsideTheTilesBlack) {
  // Tiles out of order, one touching the right edge, one not shown (cols 0).
  const std::array<TileRect, 3> tiles = {TileRect{20, 2, 10, 3}, TileRect{0, 0, 0, 8},
                                         TileRect{2, 0, 9, 8}};
  Picture p(30, 16);
  std::fill(p.rgb.begin(), p.rgb.end(), uint8_t(77));
  clear_outside_tiles(p.view(), tiles);
  for (int y = 0; y < 16; ++y) {
    for (int x = 0; x < 30; ++x) {
      const uint8_t want = inside(tiles, x, y) ? 77 : 0;
      EXPECT_EQ(p.at(x, y), (std::array<uint8_t, 3>{want, want, want})) << x << "," << y;
    }
  }
  // No tiles: the whole picture is the picture.
  Picture whole(8, 4);
  std::fill(whole.rgb.begin(), whole.rgb.end(), uint8_t(5));
  clear_outside_tiles(whole.view(), {});
  EXPECT_EQ(whole.rgb, std::vector<uint8_t>(8 * 4 * 3, 5));
}

TEST(TilesOnly, TilesPastThePictureAreClipped) {
  const std::array<TileRect, 1> tiles = {TileRect{6, 3, 100, 100}};
  Picture p = canvas(12, 10, tiles);
  pad_outside_tiles(p.view(), tiles);  // must stay inside the picture (ASan checks)
  clear_outside_tiles(p.view(), tiles);
  EXPECT_EQ(p.at(5, 9), (std::array<uint8_t, 3>{0, 0, 0}));
  EXPECT_EQ(p.at(6, 6), (std::array<uint8_t, 3>{6, 6, 200}));
}

TEST(TilesOnly, PaddedTilesCostFewerBytesAndLessErrorThanTheBlackAround) {
  // A grid of smooth tiles with one-pixel gutters, off the block grid: the padded picture,
  // cleared after decoding, is smaller and closer inside the tiles than the plain one.
  std::array<TileRect, 4> tiles{};
  for (int i = 0; i < 4; ++i) tiles[size_t(i)] = {1 + i % 2 * 39, 1 + i / 2 * 19, 38, 18};
  Picture plain(80, 40 * 2);
  for (int y = 0; y < plain.height; ++y) {
    for (int x = 0; x < plain.width; ++x) {
      if (inside(tiles, x, y)) plain.set(x, y, {uint8_t(40 + x * 2), uint8_t(30 + y), 160});
    }
  }
  Picture padded = plain;
  pad_outside_tiles(padded.view(), tiles);
  JpegEncoder encoder(picture_jpeg_options(65));
  JpegDecoder decoder(kPictureDct);
  const auto round_trip = [&](const Picture& in, size_t& bytes) {
    std::vector<uint8_t> jpeg(JpegEncoder::max_size(in.width, in.height, ChromaSubsampling::k444));
    bytes = encoder.encode({in.rgb.data(), in.width, in.height, in.width * 3}, jpeg);
    jpeg.resize(bytes);
    JpegInfo info;
    Picture out(in.width, in.height);
    EXPECT_TRUE(decoder.read_info(jpeg, info) && decoder.decode(jpeg, info, out.rgb));
    clear_outside_tiles(out.view(), tiles);
    long error = 0;
    for (size_t i = 0; i < out.rgb.size(); ++i) error += std::abs(int(out.rgb[i]) - plain.rgb[i]);
    return error;
  };
  size_t plain_bytes = 0, padded_bytes = 0;
  const long plain_error = round_trip(plain, plain_bytes);
  const long padded_error = round_trip(padded, padded_bytes);
  EXPECT_LT(padded_bytes, plain_bytes);
  EXPECT_LT(padded_error, plain_error);
}

}  // namespace
}  // namespace ttycall::media
