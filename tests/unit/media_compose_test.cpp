// Composing one view: tiles, pictures, the no-picture grey, where the labels go, and a
// scratch that stops growing once it has seen a view's size.
#include "media/compose.h"

#include <gtest/gtest.h>

#include <array>
#include <string>
#include <vector>

#include "core/alloc_accounting.h"

namespace ttycall::media {
namespace {

const core::AllocSite& test_site() {
  static const core::AllocSite site("test.compose");
  return site;
}

// A picture of one colour, owned by the test.
struct Picture {
  Picture(int w, int h, std::array<uint8_t, 3> rgb) : width(w), height(h) {
    pixels.resize(size_t(w) * h * 3);
    for (size_t i = 0; i < pixels.size(); i += 3) std::copy(rgb.begin(), rgb.end(), &pixels[i]);
  }
  ImageView view() const { return {pixels.data(), width, height, width * 3}; }

  int width;
  int height;
  std::vector<uint8_t> pixels;
};

struct ViewSize {
  int cols;
  int rows;
};
constexpr ViewSize kView{80, 24};
constexpr std::array<uint8_t, 3> kRed = {200, 30, 30};
constexpr std::array<uint8_t, 3> kBlack = {0, 0, 0};

ComposeInput grid_of(std::span<const TileSource> sources, ViewSize view = kView) {
  return {view.cols, view.rows, TileLayout::kGrid, 0, sources};
}

std::array<uint8_t, 3> pixel_at(const ComposeScratch& scratch, int cols, int x, int y) {
  const uint8_t* p = &scratch.canvas[(size_t(y) * cols + x) * 3];
  return {p[0], p[1], p[2]};
}

// Whether every canvas pixel inside `tile` has colour `rgb`.
bool tile_is(const ComposeScratch& scratch, int cols, const TileRect& tile,
             std::array<uint8_t, 3> rgb) {
  for (int y = tile.row * 2; y < (tile.row + tile.rows) * 2; ++y) {
    for (int x = tile.col; x < tile.col + tile.cols; ++x) {
      if (pixel_at(scratch, cols, x, y) != rgb) return false;
    }
  }
  return true;
}

TEST(Compose, OneTileOfASolidColourFillsItsTileAndNothingElse) {
  const Picture red(64, 48, kRed);
  const std::array<TileSource, 1> sources = {TileSource{red.view(), "", false}};
  ComposeScratch scratch(test_site());
  const ComposedView view = compose(grid_of(sources), scratch);

  std::array<TileRect, 1> expected;
  ASSERT_EQ(grid_layout(1, kView.cols, kView.rows, expected), 1);
  ASSERT_EQ(view.tiles.size(), 1u);
  EXPECT_EQ(view.tiles[0].col, expected[0].col);
  EXPECT_EQ(view.tiles[0].cols, expected[0].cols);
  EXPECT_EQ(view.tiles[0].rows, expected[0].rows);
  EXPECT_TRUE(tile_is(scratch, kView.cols, view.tiles[0], kRed));
  EXPECT_GT(view.tiles[0].col, 0);  // a 4:3 tile on a wide terminal leaves black beside it
  EXPECT_EQ(pixel_at(scratch, kView.cols, 0, 0), kBlack);
}

TEST(Compose, ATileWithoutAPictureIsGrey) {
  const Picture red(64, 48, kRed);
  const std::array<TileSource, 2> sources = {TileSource{{}, "off", false},
                                             TileSource{red.view(), "on", false}};
  ComposeScratch scratch(test_site());
  const ComposedView view = compose(grid_of(sources), scratch);
  ASSERT_EQ(view.tiles.size(), 2u);
  EXPECT_TRUE(tile_is(scratch, kView.cols, view.tiles[0], kNoPictureFill));
  EXPECT_TRUE(tile_is(scratch, kView.cols, view.tiles[1], kRed));
}

TEST(Compose, EachNamedTileHasALabelOnItsBottomRowAcrossItsWidth) {
  const std::array<TileSource, 2> sources = {TileSource{{}, "Ada", false},
                                             TileSource{{}, "Grace", true}};
  ComposeScratch scratch(test_site());
  const ComposedView view = compose(grid_of(sources), scratch);
  ASSERT_EQ(view.labels.size(), 2u);
  for (size_t i = 0; i < 2; ++i) {
    const TileRect& t = view.tiles[i];
    const TileLabel& label = view.labels[i];
    EXPECT_EQ(label.col, t.col) << i;
    EXPECT_EQ(label.row, t.row + t.rows - 1) << i;
    EXPECT_EQ(label.width, t.cols) << i;
    EXPECT_EQ(label.name, sources[i].name) << i;
    EXPECT_EQ(label.source, int(i));
  }
  EXPECT_FALSE(view.labels[0].speaking);
  EXPECT_TRUE(view.labels[1].speaking);
}

TEST(Compose, WithoutANameThereIsNoLabel) {
  const std::array<TileSource, 2> sources = {TileSource{{}, "", false}, TileSource{{}, "b", false}};
  ComposeScratch scratch(test_site());
  const ComposedView view = compose(grid_of(sources), scratch);
  ASSERT_EQ(view.labels.size(), 1u);
  EXPECT_EQ(view.labels[0].source, 1);
}

TEST(Compose, ATileLeftOutOfAFocusLayoutHasNoLabel) {
  std::array<TileSource, 40> sources{};
  for (TileSource& s : sources) s.name = "x";
  ComposeScratch scratch(test_site());
  const ComposedView view = compose({40, 14, TileLayout::kFocus, 0, sources}, scratch);
  ASSERT_EQ(view.tiles.size(), sources.size());
  size_t shown = 0;
  for (const TileRect& t : view.tiles) shown += t.cols != 0 ? 1 : 0;
  ASSERT_LT(shown, sources.size());
  EXPECT_EQ(view.labels.size(), shown);
}

TEST(Compose, AFocusLayoutPutsTheFocusedTileLarge) {
  const std::array<TileSource, 3> sources = {TileSource{{}, "a", false}, TileSource{{}, "b", false},
                                             TileSource{{}, "c", false}};
  const ViewSize view{120, 40};
  ComposeScratch scratch(test_site());
  const ComposedView composed = compose({120, 40, TileLayout::kFocus, 1, sources}, scratch);
  std::array<TileRect, 3> expected;
  ASSERT_EQ(focus_layout(3, 1, view.cols, view.rows, expected), 3);
  ASSERT_EQ(composed.tiles.size(), 3u);
  for (size_t i = 0; i < 3; ++i) {
    EXPECT_EQ(composed.tiles[i].col, expected[i].col) << i;
    EXPECT_EQ(composed.tiles[i].row, expected[i].row) << i;
    EXPECT_EQ(composed.tiles[i].cols, expected[i].cols) << i;
  }
  EXPECT_GT(composed.tiles[1].cols, 2 * composed.tiles[0].cols);
  EXPECT_GT(composed.tiles[1].cols, 2 * composed.tiles[2].cols);
  EXPECT_TRUE(tile_is(scratch, view.cols, composed.tiles[1], kNoPictureFill));
}

TEST(Compose, AFillLayoutShowsOnePictureEdgeToEdgeUnchanged) {
  Picture picture(40, 24, kRed);
  for (size_t i = 0; i < picture.pixels.size(); ++i) picture.pixels[i] = uint8_t(i * 7);
  const std::array<TileSource, 1> sources = {TileSource{picture.view(), "", false}};
  ComposeScratch scratch(test_site());
  const ComposedView view = compose({40, 12, TileLayout::kFill, 0, sources}, scratch);
  ASSERT_EQ(view.tiles.size(), 1u);
  EXPECT_EQ(view.tiles[0].cols, 40);
  EXPECT_EQ(view.tiles[0].rows, 12);
  EXPECT_TRUE(std::equal(picture.pixels.begin(), picture.pixels.end(), scratch.canvas.begin()));
}

TEST(Compose, ThePictureIsTheCanvasAtTheViewsPixelSize) {
  const Picture red(64, 48, kRed);
  const std::array<TileSource, 1> sources = {TileSource{red.view(), "Ada", true}};
  ComposeScratch scratch(test_site());
  const ComposedView view = compose(grid_of(sources), scratch);
  EXPECT_EQ(view.picture.rgb, scratch.canvas.data());
  EXPECT_EQ(view.picture.width, kView.cols);
  EXPECT_EQ(view.picture.height, kView.rows * 2);
  EXPECT_EQ(view.picture.stride, kView.cols * 3);
}

TEST(Compose, AViewTooSmallForItsTilesIsRenderedBlack) {
  const std::array<TileSource, 4> sources{};
  ComposeScratch scratch(test_site());
  const ViewSize tiny{6, 3};
  const ComposedView view = compose(grid_of(sources, tiny), scratch);
  EXPECT_TRUE(view.tiles.empty());
  EXPECT_TRUE(view.labels.empty());
  EXPECT_NE(view.picture.rgb, nullptr);
  EXPECT_TRUE(tile_is(scratch, tiny.cols, {0, 0, tiny.cols, tiny.rows}, kBlack));
}

TEST(Compose, AnEmptyViewGivesNoPicture) {
  ComposeScratch scratch(test_site());
  const ComposedView view = compose(grid_of({}, {0, 0}), scratch);
  EXPECT_EQ(view.picture.rgb, nullptr);
  EXPECT_TRUE(view.tiles.empty());
}

TEST(Compose, TheScratchGrowsOnlyForALargerViewThanBefore) {
  const Picture red(64, 48, kRed);
  const std::array<TileSource, 3> sources = {TileSource{red.view(), "Ada", true},
                                             TileSource{{}, "Grace", false},
                                             TileSource{red.view(), "Linus", false}};
  const ViewSize small{80, 24};
  const ViewSize large{160, 48};
  ComposeScratch scratch(test_site());
  const core::SiteTotals site_before = core::alloc_accounting::site(test_site().id());
  (void)compose(grid_of(sources, large), scratch);  // the first view of this size grows it
  const core::SiteTotals site_after = core::alloc_accounting::site(test_site().id());

  const uint64_t before = core::alloc_accounting::totals().allocs;
  for (int i = 0; i < 10; ++i) {
    (void)compose(grid_of(sources, large), scratch);
    (void)compose({large.cols, large.rows, TileLayout::kFocus, i % 3, sources}, scratch);
    (void)compose(grid_of(sources, small), scratch);
  }
  const uint64_t after = core::alloc_accounting::totals().allocs;
  EXPECT_EQ(after, before);
  EXPECT_GT(site_after.total_allocs, site_before.total_allocs);  // counted under its site
}

}  // namespace
}  // namespace ttycall::media
