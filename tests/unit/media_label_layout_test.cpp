// Labels laid out in the overlay: centred by display width, cut between code points, kept
// inside their box and the overlay whatever the numbers, and hostile text shown as U+FFFD.
#include "media/label_layout.h"

#include <gtest/gtest.h>

#include <climits>
#include <string>
#include <vector>

#include "core/utf8.h"

namespace ttycall::media {
namespace {

constexpr uint32_t kFffd = core::utf8::kReplacementCharacter;

struct Overlay {
  Overlay(int c, int r) : cols(c), rows(r), cells(size_t(c) * size_t(r)) {}
  std::span<OverlayCell> span() { return cells; }
  const OverlayCell& at(int col, int row) const { return cells[size_t(row) * cols + col]; }
  // The code points of one row, with '.' for an empty cell and '~' for a wide tail.
  std::u32string row_text(int row) const {
    std::u32string out;
    for (int c = 0; c < cols; ++c) {
      const uint32_t cp = at(c, row).codepoint;
      out += cp == 0 ? U'.' : cp == kWideTail ? U'~' : char32_t(cp);
    }
    return out;
  }
  int written() const {
    int n = 0;
    for (const OverlayCell& c : cells) n += c.codepoint != 0;
    return n;
  }
  int cols;
  int rows;
  std::vector<OverlayCell> cells;
};

TEST(LabelLayout, CentresThePaddedTextInItsBox) {
  Overlay o(20, 3);
  draw_label(o.span(), o.cols, o.rows, {.col = 2, .row = 1, .width = 10, .text = "Ada"});
  EXPECT_EQ(o.row_text(1), U".... Ada ...........");
  EXPECT_EQ(o.row_text(0), std::u32string(20, U'.'));
  EXPECT_EQ(o.row_text(2), std::u32string(20, U'.'));
}

TEST(LabelLayout, CellsTakeTheLabelsStyle) {
  Overlay o(10, 1);
  draw_label(o.span(), o.cols, o.rows,
             {.col = 0, .row = 0, .width = 10, .style = kOverlayHighlight, .text = "Me"});
  for (int c = 3; c < 7; ++c) EXPECT_EQ(o.at(c, 0).style, kOverlayHighlight) << c;
}

TEST(LabelLayout, TextThatDoesNotFitIsCutKeepingItsPadding) {
  Overlay o(12, 1);
  draw_label(o.span(), o.cols, o.rows, {.col = 1, .row = 0, .width = 6, .text = "Grace Hopper"});
  EXPECT_EQ(o.row_text(0), U". Grac .....");
}

TEST(LabelLayout, NarrowBoxesGetNoPadding) {
  Overlay o(6, 1);
  draw_label(o.span(), o.cols, o.rows, {.col = 0, .row = 0, .width = 2, .text = "Grace"});
  draw_label(o.span(), o.cols, o.rows, {.col = 4, .row = 0, .width = 1, .text = "Ada"});
  EXPECT_EQ(o.row_text(0), U"Gr..A.");
}

TEST(LabelLayout, WideCharactersTakeTwoCells) {
  Overlay o(10, 1);
  draw_label(o.span(), o.cols, o.rows,
             {.col = 0, .row = 0, .width = 10, .text = "\xE6\x97\xA5\xE6\x9C\xAC"});  // 日本
  EXPECT_EQ(o.row_text(0), U".. 日~本~ ..");
}

TEST(LabelLayout, AWideCharacterThatWouldStraddleTheEndIsLeftOut) {
  Overlay o(8, 1);
  // Room for 3 cells of text: 日 fits, 本 would straddle the end.
  draw_label(o.span(), o.cols, o.rows,
             {.col = 0, .row = 0, .width = 5, .text = "\xE6\x97\xA5\xE6\x9C\xAC"});
  EXPECT_EQ(o.row_text(0), U" 日~ ....");
}

TEST(LabelLayout, NoHalfWideCharacterAtTheOverlaysEdge) {
  Overlay o(10, 1);
  draw_label(o.span(), o.cols, o.rows,
             {.col = 6, .row = 0, .width = 6, .text = "\xE6\x97\xA5\xE6\x9C\xAC"});
  EXPECT_EQ(o.row_text(0), U"...... 日~ ");  // 本's head would sit in the last cell
  Overlay left(10, 1);
  draw_label(left.span(), left.cols, left.rows,
             {.col = -2, .row = 0, .width = 6, .text = "\xE6\x97\xA5\xE6\x9C\xAC"});
  // The padding falls off the left, and so would 日's head: its tail's cell gets a space.
  EXPECT_EQ(left.row_text(0), U" 本~ ......");
}

TEST(LabelLayout, ABoxPartlyOutsideTheOverlayIsClipped) {
  Overlay o(10, 1);
  draw_label(o.span(), o.cols, o.rows, {.col = -4, .row = 0, .width = 10, .text = "Ada"});
  EXPECT_EQ(o.row_text(0), U"da .......");
  Overlay right(10, 1);
  draw_label(right.span(), right.cols, right.rows, {.col = 7, .row = 0, .width = 5, .text = "Ada"});
  EXPECT_EQ(right.row_text(0), U"....... Ad");
}

TEST(LabelLayout, HostileNumbersWriteNothingOutside) {
  // The overlay sits inside a larger buffer whose guard cells must stay untouched.
  constexpr int kCols = 8, kRows = 3, kGuard = 64;
  std::vector<OverlayCell> buffer(kGuard + kCols * kRows + kGuard, OverlayCell{'G', 7});
  const std::span<OverlayCell> overlay(buffer.data() + kGuard, kCols * kRows);
  const auto reset = [&] { std::fill(overlay.begin(), overlay.end(), OverlayCell{}); };
  struct Case {
    int cols, rows;
    OverlayLabel label;
  };
  const std::string long_text(100000, 'x');
  const Case cases[] = {
      {kCols, kRows, {.col = 0, .row = -1, .width = 8, .text = "Ada"}},
      {kCols, kRows, {.col = 0, .row = kRows, .width = 8, .text = "Ada"}},
      {kCols, kRows, {.col = 0, .row = INT_MAX, .width = 8, .text = "Ada"}},
      {kCols, kRows, {.col = 0, .row = INT_MIN, .width = 8, .text = "Ada"}},
      {kCols, kRows, {.col = INT_MAX, .row = 1, .width = INT_MAX, .text = "Ada"}},
      {kCols, kRows, {.col = INT_MIN, .row = 1, .width = INT_MAX, .text = long_text}},
      {kCols, kRows, {.col = -1000, .row = 2, .width = 2000, .text = long_text}},
      {kCols, kRows, {.col = 2, .row = 2, .width = -5, .text = "Ada"}},
      {kCols, kRows, {.col = 2, .row = 2, .width = INT_MIN, .text = "Ada"}},
      {kCols, kRows, {.col = 0, .row = 0, .width = 0, .text = "Ada"}},
      {kCols + 1, kRows, {.col = 0, .row = 2, .width = 9, .text = "Ada"}},  // span too small
      {kCols, kRows + 1, {.col = 0, .row = 3, .width = 8, .text = "Ada"}},  // span too small
      {INT_MAX, INT_MAX, {.col = 0, .row = 2, .width = 8, .text = "Ada"}},
      {0, kRows, {.col = 0, .row = 0, .width = 8, .text = "Ada"}},
      {-8, -3, {.col = 0, .row = 0, .width = 8, .text = "Ada"}},
  };
  for (const Case& c : cases) {
    reset();
    draw_label(overlay, c.cols, c.rows, c.label);
    for (int i = 0; i < kGuard; ++i) {
      ASSERT_EQ(buffer[size_t(i)], (OverlayCell{'G', 7}));
      ASSERT_EQ(buffer[buffer.size() - 1 - size_t(i)], (OverlayCell{'G', 7}));
    }
    if (c.cols == kCols && c.rows == kRows) {  // and only the label's own row
      for (int r = 0; r < kRows; ++r) {
        if (r == c.label.row) continue;
        for (int col = 0; col < kCols; ++col) {
          EXPECT_EQ(overlay[size_t(r * kCols + col)].codepoint, 0u)
              << "row " << c.label.row << " col " << c.label.col << " width " << c.label.width;
        }
      }
    }
  }
  // The long labels did fill their row, and only it.
  reset();
  draw_label(overlay, kCols, kRows, {.col = -1000, .row = 2, .width = 2000, .text = long_text});
  for (int col = 0; col < kCols; ++col) EXPECT_EQ(overlay[size_t(2 * kCols + col)].codepoint, 'x');
}

TEST(LabelLayout, HostileTextShowsAsReplacementCharacters) {
  const struct {
    std::string_view text;
    std::u32string shown;
  } cases[] = {
      {"\x1b[2J", U" \uFFFD[2J "},
      {"\x1b]52;c;aGk=\x07", U" \uFFFD]52;c;aGk=\uFFFD "},
      {"\x1bP1$q\x1b\\", U" \uFFFDP1$q\uFFFD\\ "},
      {"\xC2\x9B"
       "2J",
       U" \uFFFD2J "},
      {"\xE2\x80\xAE"
       "evil",
       U" \uFFFDevil "},  // RLO
      {"a\xE2\x80\x8D"
       "b",
       U" a\uFFFDb "},              // ZWJ
      {"e\xCC\x81", U" e\uFFFD "},  // a combining mark takes a cell of its own
      {"ok\xFF\xC3", U" ok\uFFFD\uFFFD "},
  };
  for (const auto& c : cases) {
    Overlay o(int(c.shown.size()), 1);
    draw_label(o.span(), o.cols, o.rows, {.col = 0, .row = 0, .width = o.cols, .text = c.text});
    EXPECT_TRUE(o.row_text(0) == c.shown) << c.text;
    for (const OverlayCell& cell : o.cells) {
      EXPECT_TRUE(cell.codepoint == kWideTail || core::utf8::is_displayable(cell.codepoint))
          << std::hex << cell.codepoint;
    }
  }
}

TEST(LabelLayout, ReplacementCharactersTakeOneCellEach) {
  Overlay o(8, 1);
  draw_label(o.span(), o.cols, o.rows,
             {.col = 0, .row = 0, .width = 8, .text = "\xE2\x80\x8B\xE2\x80\x8B\xE2\x80\x8B"});
  EXPECT_EQ(o.row_text(0), U". \uFFFD\uFFFD\uFFFD ..");
  EXPECT_EQ(o.written(), 5);
}

}  // namespace
}  // namespace ttycall::media
