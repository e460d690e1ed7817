#include "media/layout.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <array>
#include <cstdlib>

namespace ttycall::media {
namespace {

struct Terminal {
  int cols;
  int rows;
};

constexpr Terminal kTerminals[] = {{80, 24}, {160, 48}, {240, 67}, {40, 60}, {200, 30}};

// Rectangles a and b, grown by one cell on the right and bottom, do not meet: at least
// one blank cell lies between them.
bool separated(const TileRect& a, const TileRect& b) {
  return a.col + a.cols + 1 <= b.col || b.col + b.cols + 1 <= a.col ||
         a.row + a.rows + 1 <= b.row || b.row + b.rows + 1 <= a.row;
}

struct Layout {
  int count = 0;
  std::array<TileRect, kMaxTiles> tiles{};
};

Layout layout(int count, Terminal t) {
  Layout l;
  l.count = grid_layout(count, t.cols, t.rows, l.tiles);
  return l;
}

int distinct_columns(const Layout& l) {
  int n = 0;
  for (int i = 0; i < l.count; ++i) {
    bool seen = false;
    for (int j = 0; j < i; ++j) seen = seen || l.tiles[j].col == l.tiles[i].col;
    n += seen ? 0 : 1;
  }
  return n;
}

int distinct_rows(const Layout& l) {
  int n = 0;
  for (int i = 0; i < l.count; ++i) {
    bool seen = false;
    for (int j = 0; j < i; ++j) seen = seen || l.tiles[j].row == l.tiles[i].row;
    n += seen ? 0 : 1;
  }
  return n;
}

TEST(GridLayout, TilesAreEqualInsideAndApart) {
  for (const Terminal t : kTerminals) {
    for (int count = 1; count <= 16; ++count) {
      SCOPED_TRACE(testing::Message() << count << " tiles on " << t.cols << "x" << t.rows);
      const Layout l = layout(count, t);
      ASSERT_EQ(l.count, count);
      for (int i = 0; i < count; ++i) {
        const TileRect& a = l.tiles[i];
        EXPECT_GE(a.cols, 4);
        EXPECT_GE(a.rows, 2);
        EXPECT_EQ(a.cols, l.tiles[0].cols);
        EXPECT_EQ(a.rows, l.tiles[0].rows);
        EXPECT_GE(a.col, 0);
        EXPECT_GE(a.row, 0);
        EXPECT_LE(a.col + a.cols, t.cols);
        EXPECT_LE(a.row + a.rows, t.rows);
        for (int j = 0; j < i; ++j) EXPECT_TRUE(separated(a, l.tiles[j])) << i << " vs " << j;
      }
    }
  }
}

TEST(GridLayout, OrderIsRowMajor) {
  const Layout l = layout(5, {160, 48});
  ASSERT_EQ(l.count, 5);
  for (int i = 1; i < l.count; ++i) {
    const TileRect& prev = l.tiles[i - 1];
    const TileRect& cur = l.tiles[i];
    EXPECT_TRUE(cur.row > prev.row || (cur.row == prev.row && cur.col > prev.col)) << i;
  }
}

TEST(GridLayout, OneTileFillsMostOfTheScreen) {
  for (const Terminal t : kTerminals) {
    const Layout l = layout(1, t);
    ASSERT_EQ(l.count, 1);
    const TileRect& a = l.tiles[0];
    // The 4:3 picture uses the whole of the terminal's limiting dimension.
    EXPECT_TRUE(a.cols == t.cols || a.rows == t.rows) << t.cols << "x" << t.rows;
  }
  const TileRect a = layout(1, {80, 24}).tiles[0];
  EXPECT_GE(a.cols * a.rows * 10, 80 * 24 * 7);
}

TEST(GridLayout, FourTilesOnALargeTerminalAreTwoByTwo) {
  const Layout l = layout(4, {160, 48});
  ASSERT_EQ(l.count, 4);
  EXPECT_EQ(distinct_columns(l), 2);
  EXPECT_EQ(distinct_rows(l), 2);
}

TEST(GridLayout, ThreeTilesOnAVeryWideTerminalAreOneRow) {
  const Layout l = layout(3, {200, 30});
  ASSERT_EQ(l.count, 3);
  EXPECT_EQ(distinct_columns(l), 3);
  EXPECT_EQ(distinct_rows(l), 1);
}

TEST(GridLayout, PortraitStacksTwoTiles) {
  const Layout l = layout(2, {40, 60});
  ASSERT_EQ(l.count, 2);
  EXPECT_EQ(distinct_columns(l), 1);
  EXPECT_EQ(distinct_rows(l), 2);
}

TEST(GridLayout, GridIsCentred) {
  for (const Terminal t : kTerminals) {
    for (int count : {1, 2, 4, 9}) {
      const Layout l = layout(count, t);
      ASSERT_EQ(l.count, count);
      int left = t.cols, right = 0, top = t.rows, bottom = 0;
      for (int i = 0; i < count; ++i) {
        left = std::min(left, l.tiles[i].col);
        right = std::max(right, l.tiles[i].col + l.tiles[i].cols);
        top = std::min(top, l.tiles[i].row);
        bottom = std::max(bottom, l.tiles[i].row + l.tiles[i].rows);
      }
      EXPECT_LE(std::abs(left - (t.cols - right)), 1) << count << " on " << t.cols;
      EXPECT_LE(std::abs(top - (t.rows - bottom)), 1) << count << " on " << t.cols;
    }
  }
}

TEST(GridLayout, IncompleteLastRowIsCentred) {
  const Layout l = layout(3, {160, 48});  // 2 columns: one tile alone below
  ASSERT_EQ(l.count, 3);
  ASSERT_EQ(distinct_rows(l), 2);
  const TileRect& a = l.tiles[0];
  const TileRect& b = l.tiles[1];
  const TileRect& c = l.tiles[2];
  EXPECT_GT(c.row, a.row);
  const int grid_centre2 = a.col + b.col + b.cols;  // twice the centre of the full row
  const int last_centre2 = 2 * c.col + c.cols;
  EXPECT_LE(std::abs(grid_centre2 - last_centre2), 1);
}

TEST(GridLayout, TooSmallTerminalGivesNothing) {
  std::array<TileRect, kMaxTiles> tiles{};
  EXPECT_EQ(grid_layout(1, 3, 24, tiles), 0);
  EXPECT_EQ(grid_layout(1, 80, 1, tiles), 0);
  EXPECT_EQ(grid_layout(16, 20, 8, tiles), 0);
  EXPECT_EQ(grid_layout(1, 0, 0, tiles), 0);
  EXPECT_EQ(grid_layout(0, 80, 24, tiles), 0);
  EXPECT_EQ(grid_layout(1, 4, 2, tiles), 1);
}

TEST(GridLayout, OutputTooShortGivesNothing) {
  std::array<TileRect, 2> tiles{};
  EXPECT_EQ(grid_layout(3, 160, 48, tiles), 0);
}

TEST(FocusLayout, FocusedTileIsLargestAndOthersSitBelowIt) {
  std::array<TileRect, 4> tiles{};
  ASSERT_EQ(focus_layout(4, 2, 120, 40, tiles), 4);
  const TileRect& big = tiles[2];
  for (int i = 0; i < 4; ++i) {
    if (i == 2) continue;
    EXPECT_GT(big.cols * big.rows, 4 * tiles[i].cols * tiles[i].rows) << i;
    EXPECT_GE(tiles[i].row, big.row + big.rows + 1) << i;  // no overlap, a row apart
    EXPECT_LE(tiles[i].row + tiles[i].rows, 40) << i;
    EXPECT_GT(tiles[i].cols, 0) << i;
  }
}

TEST(FocusLayout, SmallTerminalShowsOnlyTheFocusedTile) {
  std::array<TileRect, 3> tiles{};
  ASSERT_EQ(focus_layout(3, 0, 40, 12, tiles), 3);
  EXPECT_GT(tiles[0].cols, 0);
  EXPECT_EQ(tiles[1].cols, 0);
  EXPECT_EQ(tiles[2].cols, 0);
  EXPECT_EQ(focus_layout(3, 3, 40, 12, tiles), 0);  // no such tile
  EXPECT_EQ(focus_layout(1, 0, 2, 1, tiles), 0);    // nothing fits
}

}  // namespace
}  // namespace ttycall::media
