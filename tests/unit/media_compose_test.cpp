// Composing one view: tiles, pictures, the no-picture grey, labels, the text, and a scratch
// that stops growing once it has seen a view's size.
#include "media/compose.h"

#include <gtest/gtest.h>

#include <array>
#include <string>
#include <vector>

#include "core/alloc_accounting.h"
#include "media/terminal_sequences.h"

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

constexpr RenderTarget kView{80, 24, RenderMode::kHalf, ColorMode::kTrueColor};
constexpr std::array<uint8_t, 3> kRed = {200, 30, 30};
constexpr std::array<uint8_t, 3> kBlack = {0, 0, 0};

ComposeInput grid_of(std::span<const TileSource> sources, RenderTarget view = kView) {
  return {view, TileLayout::kGrid, 0, sources};
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

// The overlay row `row` from column `col`, `n` cells, as text (one char a code point).
std::string overlay_text(const ComposeScratch& scratch, int cols, int row, int col, int n) {
  std::string s;
  for (int i = 0; i < n; ++i) {
    const uint32_t cp = scratch.overlay[size_t(row) * cols + col + i].codepoint;
    s += cp == 0 ? '.' : cp < 0x80 ? char(cp) : '#';
  }
  return s;
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

TEST(Compose, TheLabelIsCentredOnTheTilesBottomRow) {
  const std::array<TileSource, 1> sources = {TileSource{{}, "Ada", false}};
  ComposeScratch scratch(test_site());
  const ComposedView view = compose(grid_of(sources), scratch);
  const TileRect& t = view.tiles[0];
  const int bottom = t.row + t.rows - 1;
  const int left = t.col + (t.cols - 5) / 2;  // " Ada " is 5 cells
  EXPECT_EQ(overlay_text(scratch, kView.cols, bottom, left - 1, 7), ". Ada .");
  EXPECT_EQ(scratch.overlay[size_t(bottom) * kView.cols + left + 1].style, kOverlayLabel);
  EXPECT_EQ(overlay_text(scratch, kView.cols, bottom - 1, t.col, t.cols),
            std::string(size_t(t.cols), '.'));  // nothing above the bottom row
}

TEST(Compose, TheLabelOfSomeoneSpeakingIsHighlighted) {
  const std::array<TileSource, 2> sources = {TileSource{{}, "Ada", true},
                                             TileSource{{}, "Grace", false}};
  ComposeScratch scratch(test_site());
  const ComposedView view = compose(grid_of(sources), scratch);
  for (size_t i = 0; i < 2; ++i) {
    const TileRect& t = view.tiles[i];
    const int name_cells = int(sources[i].name.size()) + 2;
    const size_t first =
        size_t(t.row + t.rows - 1) * kView.cols + t.col + (t.cols - name_cells) / 2;
    for (int k = 0; k < name_cells; ++k) {
      EXPECT_EQ(scratch.overlay[first + k].style, i == 0 ? kOverlayHighlight : kOverlayLabel);
    }
  }
}

TEST(Compose, ALabelWiderThanItsTileIsCut) {
  const std::array<TileSource, 1> sources = {TileSource{{}, "Bartholomew", false}};
  ComposeScratch scratch(test_site());
  const ComposedView view =
      compose(grid_of(sources, {8, 4, RenderMode::kHalf, ColorMode::kTrueColor}), scratch);
  const TileRect& t = view.tiles[0];
  ASSERT_LT(t.cols, 13);
  EXPECT_EQ(overlay_text(scratch, 8, t.row + t.rows - 1, t.col, t.cols),
            std::string(" Bartholomew").substr(0, size_t(t.cols)));
}

TEST(Compose, ANameIsLabelledACodePointACellAndIllFormedBytesShowAsQuestionMarks) {
  const std::array<TileSource, 1> sources = {TileSource{{}, "Zo\xC3\xAB\xFF", false}};
  ComposeScratch scratch(test_site());
  const ComposedView view = compose(grid_of(sources), scratch);
  const TileRect& t = view.tiles[0];
  const size_t first = size_t(t.row + t.rows - 1) * kView.cols + t.col + (t.cols - 6) / 2;
  const std::array<uint32_t, 6> want = {' ', 'Z', 'o', 0xEB, '?', ' '};
  for (size_t k = 0; k < want.size(); ++k) EXPECT_EQ(scratch.overlay[first + k].codepoint, want[k]);
}

TEST(Compose, WithoutANameThereIsNoLabel) {
  const std::array<TileSource, 1> sources = {TileSource{{}, "", false}};
  ComposeScratch scratch(test_site());
  (void)compose(grid_of(sources), scratch);
  for (size_t i = 0; i < size_t(kView.cols) * kView.rows; ++i) {
    ASSERT_EQ(scratch.overlay[i].codepoint, 0u) << i;
  }
}

TEST(Compose, AFocusLayoutPutsTheFocusedTileLarge) {
  const std::array<TileSource, 3> sources = {TileSource{{}, "a", false}, TileSource{{}, "b", false},
                                             TileSource{{}, "c", false}};
  const RenderTarget view{120, 40, RenderMode::kHalf, ColorMode::kTrueColor};
  ComposeScratch scratch(test_site());
  const ComposedView composed = compose({view, TileLayout::kFocus, 1, sources}, scratch);
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
  const ComposedView view = compose(
      {{40, 12, RenderMode::kAscii, ColorMode::kNone}, TileLayout::kFill, 0, sources}, scratch);
  ASSERT_EQ(view.tiles.size(), 1u);
  EXPECT_EQ(view.tiles[0].cols, 40);
  EXPECT_EQ(view.tiles[0].rows, 12);
  EXPECT_TRUE(std::equal(picture.pixels.begin(), picture.pixels.end(), scratch.canvas.begin()));
}

TEST(Compose, TheTextIsTheCanvasAndLabelsRendered) {
  const Picture red(64, 48, kRed);
  const std::array<TileSource, 2> sources = {TileSource{red.view(), "Ada", true},
                                             TileSource{{}, "Grace", false}};
  ComposeScratch scratch(test_site());
  const ComposedView view = compose(grid_of(sources), scratch);
  std::vector<uint8_t> expected(max_frame_bytes(kView));
  const size_t n =
      render_frame({scratch.canvas.data(), kView.cols, kView.rows * 2, kView.cols * 3}, kView,
                   {scratch.overlay.data(), size_t(kView.cols) * kView.rows}, expected);
  ASSERT_GT(n, 0u);
  const std::string text(view.text.begin(), view.text.end());
  EXPECT_EQ(text, std::string(expected.begin(), expected.begin() + long(n)));
  EXPECT_TRUE(text.starts_with(terminal::kFrameBegin));
  EXPECT_TRUE(text.ends_with(terminal::kFrameEnd));
  EXPECT_NE(text.find(" Ada "), std::string::npos);
  EXPECT_NE(text.find(" Grace "), std::string::npos);
}

TEST(Compose, AViewTooSmallForItsTilesIsRenderedBlack) {
  const std::array<TileSource, 4> sources{};
  ComposeScratch scratch(test_site());
  const RenderTarget tiny{6, 3, RenderMode::kHalf, ColorMode::kTrueColor};
  const ComposedView view = compose(grid_of(sources, tiny), scratch);
  EXPECT_TRUE(view.tiles.empty());
  EXPECT_FALSE(view.text.empty());
  EXPECT_TRUE(tile_is(scratch, tiny.cols, {0, 0, tiny.cols, tiny.rows}, kBlack));
}

TEST(Compose, AnEmptyViewGivesNoText) {
  ComposeScratch scratch(test_site());
  const ComposedView view =
      compose(grid_of({}, {0, 0, RenderMode::kHalf, ColorMode::kTrueColor}), scratch);
  EXPECT_TRUE(view.text.empty());
  EXPECT_TRUE(view.tiles.empty());
}

TEST(Compose, TheScratchGrowsOnlyForALargerViewThanBefore) {
  const Picture red(64, 48, kRed);
  const std::array<TileSource, 3> sources = {TileSource{red.view(), "Ada", true},
                                             TileSource{{}, "Grace", false},
                                             TileSource{red.view(), "Linus", false}};
  const RenderTarget small{80, 24, RenderMode::kAscii, ColorMode::k256};
  const RenderTarget large{160, 48, RenderMode::kHalf, ColorMode::kTrueColor};
  ComposeScratch scratch(test_site());
  const core::SiteTotals site_before = core::alloc_accounting::site(test_site().id());
  (void)compose(grid_of(sources, large), scratch);  // the first view of this size grows it
  const core::SiteTotals site_after = core::alloc_accounting::site(test_site().id());

  const uint64_t before = core::alloc_accounting::totals().allocs;
  for (int i = 0; i < 10; ++i) {
    (void)compose(grid_of(sources, large), scratch);
    (void)compose({large, TileLayout::kFocus, i % 3, sources}, scratch);
    (void)compose(grid_of(sources, small), scratch);
  }
  const uint64_t after = core::alloc_accounting::totals().allocs;
  EXPECT_EQ(after, before);
  EXPECT_GT(site_after.total_allocs, site_before.total_allocs);  // counted under its site
}

}  // namespace
}  // namespace ttycall::media
