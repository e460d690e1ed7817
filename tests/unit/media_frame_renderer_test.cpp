#include "media/frame_renderer.h"

#include <gtest/gtest.h>

#include <cmath>
#include <cstdlib>
#include <fstream>
#include <iterator>
#include <random>
#include <string>
#include <vector>

#include "core/alloc_accounting.h"
#include "core/utf8.h"
#include "media/palette.h"
#include "media/terminal_sequences.h"

namespace ttycall::media {
namespace {

using media::ColorMode;
using media::RenderMode;

const RenderMode kModes[] = {RenderMode::kAscii, RenderMode::kHalf};
const ColorMode kColors[] = {ColorMode::kNone, ColorMode::k16, ColorMode::k256,
                             ColorMode::kTrueColor};

const core::AllocSite& test_site() {
  static const core::AllocSite site("test.frame_renderer");
  return site;
}

// A picture of cols x rows*2 pixels, owned by the test.
struct Picture {
  Picture(int cols, int rows) : width(cols), height(rows * 2) {
    pixels.assign(static_cast<size_t>(width) * height * 3, 0);
  }
  media::ImageView view() const { return {pixels.data(), width, height, width * 3}; }
  uint8_t* at(int x, int y) { return &pixels[(static_cast<size_t>(y) * width + x) * 3]; }
  void set(int x, int y, uint8_t r, uint8_t g, uint8_t b) {
    uint8_t* p = at(x, y);
    p[0] = r;
    p[1] = g;
    p[2] = b;
  }

  int width;
  int height;
  std::vector<uint8_t> pixels;
};

std::string as_string(std::span<const uint8_t> bytes) {
  return std::string(bytes.begin(), bytes.end());
}

// ---- A terminal, as far as the renderer's output goes -----------------------------------
//
// It understands exactly what the renderer may write: synchronized output on/off, ESC[r;cH,
// SGR (0, 7, 27, 30-37, 39, 40-47, 49, 90-97, 100-107, 38/48;5;n, 38/48;2;r;g;b) and
// printable UTF-8, with wide glyphs taking two cells as a terminal does (writing over either
// half of one blanks the other). Anything else fails the test.
struct ScreenCell {
  uint32_t cp = ' ';
  int64_t fg = -1;  // -1 default, else a palette index, or 1 << 24 | 0xRRGGBB
  int64_t bg = -1;
  bool reverse = false;

  bool operator==(const ScreenCell& o) const {
    // A blank shows no foreground.
    const bool fg_shows = !(cp == ' ' && !reverse);
    return cp == o.cp && bg == o.bg && reverse == o.reverse && (!fg_shows || fg == o.fg);
  }
};

std::ostream& operator<<(std::ostream& os, const ScreenCell& c) {
  return os << "{U+" << std::hex << c.cp << std::dec << " fg " << c.fg << " bg " << c.bg
            << (c.reverse ? " rev" : "") << "}";
}

class Screen {
 public:
  Screen(int cols, int rows) : cols_(cols), rows_(rows), cells_(size_t(cols) * rows) {}

  testing::AssertionResult apply(std::span<const uint8_t> bytes) {
    fg_ = bg_ = -1;
    reverse_ = false;
    size_t i = 0;
    auto fail = [&](const std::string& why) {
      return testing::AssertionFailure() << why << " at byte " << i;
    };
    while (i < bytes.size()) {
      const uint8_t b = bytes[i];
      if (b == 0x1b) {
        if (i + 1 >= bytes.size() || bytes[i + 1] != '[') return fail("ESC without [");
        i += 2;
        bool private_mode = false;
        if (i < bytes.size() && bytes[i] == '?') {
          private_mode = true;
          ++i;
        }
        std::vector<int> params{0};
        while (i < bytes.size() && ((bytes[i] >= '0' && bytes[i] <= '9') || bytes[i] == ';')) {
          if (bytes[i] == ';') {
            params.push_back(0);
          } else {
            params.back() = params.back() * 10 + (bytes[i] - '0');
          }
          ++i;
        }
        if (i >= bytes.size()) return fail("unterminated sequence");
        const uint8_t final_byte = bytes[i++];
        if (private_mode) {
          if (params != std::vector<int>{2026} || (final_byte != 'h' && final_byte != 'l')) {
            return fail("unknown private mode");
          }
          sync_ = final_byte == 'h';
        } else if (final_byte == 'H') {
          if (params.size() != 2 || params[0] < 1 || params[0] > rows_ || params[1] < 1 ||
              params[1] > cols_) {
            return fail("bad cursor move");
          }
          row_ = params[0] - 1;
          col_ = params[1] - 1;
        } else if (final_byte == 'm') {
          if (!sgr(params)) return fail("bad SGR");
        } else {
          return fail("unknown sequence");
        }
        continue;
      }
      const core::utf8::Decoded d = core::utf8::decode(bytes.subspan(i));
      if (d.length == 0) return fail("ill-formed UTF-8");
      if (core::utf8::is_control(d.code_point)) return fail("control character");
      i += d.length;
      if (!sync_) return fail("glyph outside synchronized output");
      const int width = core::utf8::code_point_width(d.code_point);
      if (width != 1 && width != 2) return fail("glyph of width " + std::to_string(width));
      if (row_ < 0 || col_ + width > cols_) return fail("glyph would wrap");
      put(col_, d.code_point);
      if (width == 2) put(col_ + 1, kWideTail);
      col_ += width;
    }
    if (sync_) return testing::AssertionFailure() << "synchronized output left on";
    if (fg_ != -1 || bg_ != -1 || reverse_) {
      return testing::AssertionFailure() << "attributes not reset at the end";
    }
    return testing::AssertionSuccess();
  }

  const ScreenCell& at(int col, int row) const { return cells_[size_t(row) * cols_ + col]; }

  friend testing::AssertionResult same(const Screen& a, const Screen& b) {
    for (int row = 0; row < a.rows_; ++row) {
      for (int col = 0; col < a.cols_; ++col) {
        if (!(a.at(col, row) == b.at(col, row))) {
          return testing::AssertionFailure() << "cell " << col << "," << row << ": "
                                             << a.at(col, row) << " vs " << b.at(col, row);
        }
      }
    }
    return testing::AssertionSuccess();
  }

 private:
  ScreenCell& cell(int col) { return cells_[size_t(row_) * cols_ + col]; }

  void blank(int col) {
    ScreenCell& c = cell(col);
    c = ScreenCell{' ', fg_, bg_, reverse_};
  }

  void put(int col, uint32_t cp) {
    // Writing over half of a wide glyph blanks its other half.
    if (cell(col).cp == kWideTail && cp != kWideTail && col > 0) blank(col - 1);
    if (cp != kWideTail && col + 1 < cols_ && cell(col + 1).cp == kWideTail) blank(col + 1);
    if (cp == kWideTail && col + 1 < cols_ && cell(col + 1).cp == kWideTail) blank(col + 1);
    cell(col) = ScreenCell{cp, fg_, bg_, reverse_};
  }

  bool sgr(const std::vector<int>& p) {
    for (size_t k = 0; k < p.size(); ++k) {
      const int v = p[k];
      if (v == 0) {
        fg_ = bg_ = -1;
        reverse_ = false;
      } else if (v == 7 || v == 27) {
        reverse_ = v == 7;
      } else if (v >= 30 && v <= 37) {
        fg_ = v - 30;
      } else if (v >= 90 && v <= 97) {
        fg_ = v - 90 + 8;
      } else if (v >= 40 && v <= 47) {
        bg_ = v - 40;
      } else if (v >= 100 && v <= 107) {
        bg_ = v - 100 + 8;
      } else if (v == 39 || v == 49) {
        (v == 39 ? fg_ : bg_) = -1;
      } else if (v == 38 || v == 48) {
        int64_t& target = v == 38 ? fg_ : bg_;
        if (k + 2 < p.size() && p[k + 1] == 5 && p[k + 2] < 256) {
          target = p[k + 2];
          k += 2;
        } else if (k + 4 < p.size() && p[k + 1] == 2 && p[k + 2] < 256 && p[k + 3] < 256 &&
                   p[k + 4] < 256) {
          target = int64_t(1) << 24 | p[k + 2] << 16 | p[k + 3] << 8 | p[k + 4];
          k += 4;
        } else {
          return false;
        }
      } else {
        return false;
      }
    }
    return true;
  }

  int cols_;
  int rows_;
  std::vector<ScreenCell> cells_;
  int row_ = -1;
  int col_ = 0;
  int64_t fg_ = -1;
  int64_t bg_ = -1;
  bool reverse_ = false;
  bool sync_ = false;
};

// ---- Random frames -------------------------------------------------------------------

// Pixels from a few colours, so that neighbours often share one (SGR is skipped) and often
// do not.
Picture random_picture(int cols, int rows, std::mt19937& rng) {
  static constexpr uint8_t kColours[6][3] = {{0, 0, 0},     {255, 255, 255}, {200, 30, 30},
                                             {20, 180, 60}, {40, 40, 220},   {128, 128, 128}};
  Picture picture(cols, rows);
  for (int y = 0; y < picture.height; ++y) {
    for (int x = 0; x < picture.width; ++x) {
      const uint8_t* c = kColours[rng() % 6];
      picture.set(x, y, c[0], c[1], c[2]);
    }
  }
  return picture;
}

// `picture` with about `percent` of its cells changed.
Picture changed(Picture picture, int percent, std::mt19937& rng) {
  for (int y = 0; y < picture.height; y += 2) {
    for (int x = 0; x < picture.width; ++x) {
      if (int(rng() % 100) >= percent) continue;
      for (int dy = 0; dy < 2; ++dy) {
        uint8_t* p = picture.at(x, y + dy);
        for (int c = 0; c < 3; ++c) p[c] = uint8_t(255 - p[c]);
      }
    }
  }
  return picture;
}

// Labels, narrow and wide, in both styles, at random places.
std::vector<OverlayCell> random_overlay(int cols, int rows, std::mt19937& rng) {
  static constexpr uint32_t kNarrow[] = {'A', 'b', ' ', 0xE9, 0x2605};
  static constexpr uint32_t kWide[] = {0x3042, 0x4E2D, 0x1F600};
  std::vector<OverlayCell> overlay(size_t(cols) * rows);
  for (int label = 0; label < 4; ++label) {
    const int row = int(rng() % rows);
    int col = int(rng() % cols);
    const uint8_t style = rng() % 2 ? kOverlayHighlight : kOverlayLabel;
    for (int n = 0; n < 6 && col < cols; ++n) {
      OverlayCell* o = &overlay[size_t(row) * cols + col];
      if (rng() % 3 == 0 && col + 1 < cols) {
        o[0] = {kWide[rng() % 3], style};
        o[1] = {kWideTail, style};
        col += 2;
      } else {
        o[0] = {kNarrow[rng() % 5], style};
        col += 1;
      }
    }
  }
  return overlay;
}

// ---- Full and diff renders ---------------------------------------------------------------

class EveryMode : public testing::TestWithParam<std::tuple<RenderMode, ColorMode>> {
 protected:
  RenderTarget target(int cols, int rows) const {
    return {cols, rows, std::get<0>(GetParam()), std::get<1>(GetParam())};
  }
};

std::string mode_name(const testing::TestParamInfo<std::tuple<RenderMode, ColorMode>>& info) {
  return std::string(media::to_string(std::get<0>(info.param))) + "_" +
         std::string(media::to_string(std::get<1>(info.param)));
}

TEST_P(EveryMode, DiffOnThePreviousScreenEqualsAFullRender) {
  std::mt19937 rng(42);
  for (int round = 0; round < 20; ++round) {
    const int cols = 1 + int(rng() % 30);
    const int rows = 1 + int(rng() % 8);
    const RenderTarget t = target(cols, rows);
    const Picture a = random_picture(cols, rows, rng);
    const Picture b = changed(a, round % 2 ? 10 : 50, rng);
    const auto overlay_a = random_overlay(cols, rows, rng);
    const auto overlay_b = round % 3 ? random_overlay(cols, rows, rng) : overlay_a;

    FrameRenderer renderer(test_site());
    Screen screen(cols, rows);
    ASSERT_TRUE(screen.apply(renderer.render(a.view(), t, overlay_a)));
    const std::string diff = as_string(renderer.render(b.view(), t, overlay_b));
    ASSERT_TRUE(screen.apply({reinterpret_cast<const uint8_t*>(diff.data()), diff.size()}));

    FrameRenderer fresh(test_site());
    Screen expected(cols, rows);
    const std::string full = as_string(fresh.render(b.view(), t, overlay_b));
    ASSERT_TRUE(expected.apply({reinterpret_cast<const uint8_t*>(full.data()), full.size()}));
    ASSERT_TRUE(same(screen, expected)) << "round " << round << " " << cols << "x" << rows;

    // What the renderer believes the terminal shows is what it shows.
    ASSERT_EQ(renderer.cells().size(), size_t(cols) * rows);
    for (int row = 0; row < rows; ++row) {
      for (int col = 0; col < cols; ++col) {
        EXPECT_EQ(renderer.cells()[size_t(row) * cols + col].code_point(), screen.at(col, row).cp);
      }
    }
  }
}

TEST_P(EveryMode, UnchangedPictureWritesOnlyTheFrameToggles) {
  std::mt19937 rng(3);
  const RenderTarget t = target(20, 6);
  const Picture a = random_picture(20, 6, rng);
  const auto overlay = random_overlay(20, 6, rng);
  FrameRenderer renderer(test_site());
  EXPECT_GT(renderer.render(a.view(), t, overlay).size(), 100u);
  const std::string again = as_string(renderer.render(a.view(), t, overlay));
  EXPECT_EQ(again,
            std::string(media::terminal::kFrameBegin) + std::string(media::terminal::kFrameEnd));
}

TEST_P(EveryMode, FullWhenAskedAfterInvalidateOrANewTarget) {
  std::mt19937 rng(5);
  const RenderTarget t = target(12, 4);
  const Picture a = random_picture(12, 4, rng);
  FrameRenderer renderer(test_site());
  const std::string first = as_string(renderer.render(a.view(), t, {}));
  EXPECT_EQ(as_string(renderer.render(a.view(), t, {}, /*full=*/true)), first);
  renderer.invalidate();
  EXPECT_EQ(as_string(renderer.render(a.view(), t, {})), first);
  // A smaller target on the same picture: drawn whole.
  RenderTarget smaller = t;
  smaller.cols = 6;
  Screen screen(6, 4);
  ASSERT_TRUE(screen.apply(renderer.render(a.view(), smaller, {})));
  for (int row = 0; row < 4; ++row) {
    for (int col = 0; col < 6; ++col) EXPECT_NE(screen.at(col, row).cp, kWideTail);
  }
  EXPECT_EQ(renderer.target(), smaller);
}

TEST_P(EveryMode, SnapshotLeavesTheShownFrameAlone) {
  std::mt19937 rng(8);
  const RenderTarget t = target(10, 3);
  const Picture a = random_picture(10, 3, rng);
  const Picture b = changed(a, 30, rng);
  FrameRenderer renderer(test_site());
  const std::string full_a = as_string(renderer.render(a.view(), t, {}));
  const std::vector<TextCell> shown(renderer.cells().begin(), renderer.cells().end());
  FrameRenderer other(test_site());
  EXPECT_EQ(as_string(renderer.render_snapshot(b.view(), t, {})),
            as_string(other.render(b.view(), t, {})));
  EXPECT_EQ(std::vector<TextCell>(renderer.cells().begin(), renderer.cells().end()), shown);
  // Still a diff against a.
  EXPECT_EQ(as_string(renderer.render(a.view(), t, {})),
            std::string(media::terminal::kFrameBegin) + std::string(media::terminal::kFrameEnd));
}

TEST_P(EveryMode, SecondRenderAllocatesNothing) {
  std::mt19937 rng(9);
  const RenderTarget t = target(160, 48);
  const Picture a = random_picture(160, 48, rng);
  const Picture b = changed(a, 10, rng);
  const auto overlay = random_overlay(160, 48, rng);
  FrameRenderer renderer(test_site());
  renderer.render(a.view(), t, overlay);
  const core::HeapTotals before = core::alloc_accounting::totals();
  size_t bytes = 0;
  bytes += renderer.render(b.view(), t, overlay).size();
  bytes += renderer.render(a.view(), t, {}, /*full=*/true).size();
  bytes += renderer.render_snapshot(b.view(), t, overlay).size();
  const core::HeapTotals after = core::alloc_accounting::totals();
  EXPECT_EQ(after.allocs - before.allocs, 0u);
  EXPECT_GT(bytes, 0u);
}

TEST_P(EveryMode, OutputStaysWithinMaxBytes) {
  // Worst cases: every cell a new colour, and every other cell changed (a move each).
  const RenderTarget t = target(37, 5);
  Picture a(37, 5);
  Picture b(37, 5);
  for (int y = 0; y < a.height; ++y) {
    for (int x = 0; x < a.width; ++x) {
      const uint8_t v = uint8_t((x * 97 + y * 31) % 256);
      a.set(x, y, v, uint8_t(255 - v), uint8_t(v ^ 0x5A));
      if (x % 2) b.set(x, y, uint8_t(255 - v), v, uint8_t(v ^ 0xA5));
    }
  }
  FrameRenderer renderer(test_site());
  EXPECT_LE(renderer.render(a.view(), t, {}).size(), FrameRenderer::max_bytes(t));
  EXPECT_LE(renderer.render(b.view(), t, {}).size(), FrameRenderer::max_bytes(t));
  EXPECT_LE(renderer.render(a.view(), t, {}).size(), FrameRenderer::max_bytes(t));
}

TEST_P(EveryMode, PictureSmallerThanTheTargetIsRefused) {
  const Picture small(10, 3);
  FrameRenderer renderer(test_site());
  EXPECT_TRUE(renderer.render(small.view(), target(11, 3), {}).empty());
  EXPECT_TRUE(renderer.render(small.view(), target(10, 4), {}).empty());
  EXPECT_TRUE(renderer.render({}, target(10, 3), {}).empty());
  EXPECT_TRUE(renderer.render(small.view(), target(0, 3), {}).empty());
  EXPECT_TRUE(renderer.cells().empty());
  // A larger picture is cropped.
  EXPECT_FALSE(renderer.render(small.view(), target(4, 2), {}).empty());
}

TEST_P(EveryMode, ControlCodePointsInTheOverlayNeverReachTheTerminal) {
  const RenderTarget t = target(12, 2);
  const Picture picture(12, 2);
  std::vector<OverlayCell> overlay(24);
  const uint32_t hostile[] = {0x1B, 0x07, 0x0A, 0x7F, 0x9B, 0x85, 0x0D, 0x08};
  for (size_t i = 0; i < std::size(hostile); ++i) overlay[i] = {hostile[i], kOverlayLabel};
  overlay[12] = {0x301, kOverlayLabel};   // combining mark: takes no cell
  overlay[13] = {0x3042, kOverlayLabel};  // wide without its tail
  overlay[14] = {'y', kOverlayLabel};
  overlay[15] = {kWideTail, kOverlayLabel};  // a tail without its wide glyph
  overlay[16] = {0xD800, kOverlayLabel};     // a surrogate
  overlay[23] = {0x3042, kOverlayLabel};     // wide in the last column
  FrameRenderer renderer(test_site());
  const auto out = renderer.render(picture.view(), t, overlay);
  Screen screen(12, 2);
  ASSERT_TRUE(screen.apply(out));  // fails on any control character
  for (size_t i = 0; i < std::size(hostile); ++i) {
    EXPECT_EQ(renderer.cells()[i].code_point(), core::utf8::kReplacementCharacter) << i;
    EXPECT_EQ(screen.at(int(i), 0).cp, core::utf8::kReplacementCharacter) << i;
  }
  EXPECT_EQ(screen.at(0, 1).cp, core::utf8::kReplacementCharacter);
  EXPECT_EQ(screen.at(1, 1).cp, core::utf8::kReplacementCharacter);
  EXPECT_EQ(screen.at(2, 1).cp, uint32_t('y'));
  EXPECT_EQ(screen.at(3, 1).cp, uint32_t(' '));
  EXPECT_EQ(screen.at(4, 1).cp, core::utf8::kReplacementCharacter);
  EXPECT_EQ(screen.at(11, 1).cp, core::utf8::kReplacementCharacter);
  // The only bytes below 0x20 are the escapes that start the renderer's own sequences.
  for (size_t i = 0; i < out.size(); ++i) {
    if (out[i] < 0x20 || out[i] == 0x7F) {
      EXPECT_EQ(out[i], 0x1B);
      ASSERT_LT(i + 1, out.size());
      EXPECT_EQ(out[i + 1], '[');
    }
  }
}

INSTANTIATE_TEST_SUITE_P(Render, EveryMode,
                         testing::Combine(testing::ValuesIn(kModes), testing::ValuesIn(kColors)),
                         mode_name);

// ---- What the cells show --------------------------------------------------------------

TEST(RenderFrameRenderer, TrueColourHalfCellsCarryTopAndBottomPixels) {
  std::mt19937 rng(11);
  Picture picture(9, 4);
  for (auto& v : picture.pixels) v = uint8_t(rng());
  FrameRenderer renderer(test_site());
  ASSERT_FALSE(renderer.render(picture.view(), {9, 4, RenderMode::kHalf, ColorMode::kTrueColor}, {})
                   .empty());
  for (int row = 0; row < 4; ++row) {
    for (int col = 0; col < 9; ++col) {
      const TextCell& c = renderer.cells()[size_t(row) * 9 + col];
      const uint8_t* top = picture.at(col, 2 * row);
      const uint8_t* bottom = picture.at(col, 2 * row + 1);
      EXPECT_EQ(c.code_point(), 0x2580u);
      EXPECT_EQ(shown_color(c.fg, ColorMode::kTrueColor), (media::Rgb{top[0], top[1], top[2]}));
      EXPECT_EQ(shown_color(c.bg, ColorMode::kTrueColor),
                (media::Rgb{bottom[0], bottom[1], bottom[2]}));
    }
  }
}

TEST(RenderFrameRenderer, ColourlessHalfBlocksThresholdEachPixel) {
  Picture picture(4, 1);
  picture.set(1, 0, 255, 255, 255);  // top lit
  picture.set(2, 1, 255, 255, 255);  // bottom lit
  picture.set(3, 0, 200, 200, 200);
  picture.set(3, 1, 200, 200, 200);
  FrameRenderer renderer(test_site());
  renderer.render(picture.view(), {4, 1, RenderMode::kHalf, ColorMode::kNone}, {});
  const auto cells = renderer.cells();
  EXPECT_EQ(cells[0].code_point(), uint32_t(' '));
  EXPECT_EQ(cells[1].code_point(), 0x2580u);
  EXPECT_EQ(cells[2].code_point(), 0x2584u);
  EXPECT_EQ(cells[3].code_point(), 0x2588u);
}

TEST(RenderFrameRenderer, AsciiRampFollowsTheAverageOfBothPixels) {
  Picture picture(3, 1);
  picture.set(1, 0, 255, 255, 255);  // average 128: the middle of the ramp
  picture.set(2, 0, 255, 255, 255);
  picture.set(2, 1, 255, 255, 255);
  FrameRenderer renderer(test_site());
  renderer.render(picture.view(), {3, 1, RenderMode::kAscii, ColorMode::kTrueColor}, {});
  const auto cells = renderer.cells();
  EXPECT_EQ(cells[0].code_point(), uint32_t(' '));
  EXPECT_EQ(cells[1].code_point(), uint32_t('+'));
  EXPECT_EQ(cells[2].code_point(), uint32_t('@'));
  EXPECT_EQ(shown_color(cells[1].fg, ColorMode::kTrueColor), (media::Rgb{128, 128, 128}));
  EXPECT_EQ(cells[1].bg, kDefaultColor);
}

TEST(RenderFrameRenderer, OverlayStylesPerColourMode) {
  const Picture picture(2, 1);
  const std::vector<OverlayCell> overlay = {{'a', kOverlayLabel}, {'b', kOverlayHighlight}};
  FrameRenderer renderer(test_site());
  renderer.render(picture.view(), {2, 1, RenderMode::kHalf, ColorMode::kNone}, overlay);
  EXPECT_EQ(renderer.cells()[0].reverse, 0);
  EXPECT_EQ(renderer.cells()[1].reverse, 1);
  renderer.render(picture.view(), {2, 1, RenderMode::kHalf, ColorMode::k16}, overlay);
  EXPECT_EQ(renderer.cells()[0].fg, 7u);
  EXPECT_EQ(renderer.cells()[0].bg, 0u);
  EXPECT_EQ(renderer.cells()[1].fg, 0u);
  EXPECT_EQ(renderer.cells()[1].bg, 11u);
  renderer.render(picture.view(), {2, 1, RenderMode::kHalf, ColorMode::kTrueColor}, overlay);
  EXPECT_EQ(renderer.cells()[0].fg, 0xE6E6E6u);
  EXPECT_EQ(renderer.cells()[1].bg, 0xFFC800u);
  EXPECT_EQ(renderer.cells()[1].reverse, 0);
}

TEST(RenderFrameRenderer, SixteenColoursUseTheAnsiCodes) {
  Picture picture(2, 1);
  picture.set(0, 0, 255, 0, 0);  // bright red over black
  picture.set(1, 0, 0, 0, 238);  // blue over bright white
  picture.set(1, 1, 255, 255, 255);
  FrameRenderer renderer(test_site());
  const std::string out =
      as_string(renderer.render(picture.view(), {2, 1, RenderMode::kHalf, ColorMode::k16}, {}));
  EXPECT_NE(out.find("\x1b[91;40m\xE2\x96\x80"), std::string::npos) << out;
  EXPECT_NE(out.find("\x1b[34;107m\xE2\x96\x80"), std::string::npos) << out;
}

TEST(RenderFrameRenderer, ColourCarriesAcrossACursorJump) {
  Picture a(6, 2);
  Picture b = a;
  b.set(1, 0, 255, 0, 0);
  b.set(4, 2, 255, 0, 0);  // row 1, same colours as the cell changed on row 0
  const RenderTarget t{6, 2, RenderMode::kHalf, ColorMode::kTrueColor};
  FrameRenderer renderer(test_site());
  renderer.render(a.view(), t, {});
  const std::string diff = as_string(renderer.render(b.view(), t, {}));
  EXPECT_EQ(diff,
            "\x1b[?2026h\x1b[1;2H\x1b[38;2;255;0;0;48;2;0;0;0m\xE2\x96\x80\x1b[2;5H\xE2\x96\x80"
            "\x1b[0m\x1b[?2026l");
}

TEST(RenderFrameRenderer, WideGlyphIsOneUnitWithItsTail) {
  const Picture picture(6, 1);
  const RenderTarget t{6, 1, RenderMode::kHalf, ColorMode::kTrueColor};
  std::vector<OverlayCell> overlay(6);
  overlay[1] = {0x3042, kOverlayLabel};  // あ
  overlay[2] = {kWideTail, kOverlayLabel};
  overlay[3] = {'x', kOverlayLabel};
  FrameRenderer renderer(test_site());
  const std::string full = as_string(renderer.render(picture.view(), t, overlay));
  // The wide glyph, then 'x' straight after it: the tail writes nothing and needs no move.
  EXPECT_NE(full.find("\xE3\x81\x82x"), std::string::npos) << full;
  EXPECT_EQ(renderer.cells()[2].code_point(), kWideTail);
  EXPECT_TRUE(renderer.cells()[2].wide_tail());

  // Another wide glyph in the same place: written once at its head.
  overlay[1] = {0x4E2D, kOverlayLabel};  // 中
  EXPECT_EQ(as_string(renderer.render(picture.view(), t, overlay)),
            "\x1b[?2026h\x1b[1;2H\x1b[38;2;230;230;230;48;2;40;40;40m\xE4\xB8\xAD"
            "\x1b[0m\x1b[?2026l");

  // The wide glyph gone: both of its cells are written again.
  overlay[1] = {};
  overlay[2] = {};
  Screen screen(6, 1);
  FrameRenderer check(test_site());
  std::vector<OverlayCell> before = overlay;
  before[1] = {0x4E2D, kOverlayLabel};
  before[2] = {kWideTail, kOverlayLabel};
  ASSERT_TRUE(screen.apply(check.render(picture.view(), t, before)));
  ASSERT_TRUE(screen.apply(check.render(picture.view(), t, overlay)));
  EXPECT_EQ(screen.at(1, 0).cp, 0x2580u);
  EXPECT_EQ(screen.at(2, 0).cp, 0x2580u);
}

// ---- Goldens -------------------------------------------------------------------------

// 8 x 6 pixels (8 x 3 cells): runs of colours in pairs, so that some neighbours share a
// colour and some do not, plus a label with a wide glyph and a highlighted cell.
Picture golden_picture() {
  static constexpr uint8_t kColours[8][3] = {
      {0, 0, 0},   {255, 255, 255}, {255, 0, 0},     {0, 255, 0},
      {0, 0, 255}, {255, 255, 0},   {128, 128, 128}, {255, 128, 0},
  };
  Picture picture(8, 3);
  for (int y = 0; y < picture.height; ++y) {
    for (int x = 0; x < picture.width; ++x) {
      const uint8_t* c = kColours[(x / 2 + y) % 8];
      picture.set(x, y, c[0], c[1], c[2]);
    }
  }
  return picture;
}

std::vector<OverlayCell> golden_overlay() {
  std::vector<OverlayCell> overlay(8 * 3);
  overlay[2 * 8 + 0] = {'H', kOverlayLabel};
  overlay[2 * 8 + 1] = {'i', kOverlayLabel};
  overlay[2 * 8 + 3] = {0x2605, kOverlayHighlight};  // ★
  overlay[2 * 8 + 5] = {0x3042, kOverlayLabel};      // あ, two cells
  overlay[2 * 8 + 6] = {kWideTail, kOverlayLabel};
  return overlay;
}

class RenderGoldenFrame : public testing::TestWithParam<std::tuple<RenderMode, ColorMode>> {};

TEST_P(RenderGoldenFrame, MatchesFile) {
  const auto [mode, color] = GetParam();
  FrameRenderer renderer(test_site());
  const std::string frame =
      as_string(renderer.render(golden_picture().view(), {8, 3, mode, color}, golden_overlay()));
  const std::string path = std::string(TTYCALL_GOLDEN_DIR) + "/frame_renderer_" +
                           std::string(media::to_string(mode)) + "_" +
                           std::string(media::to_string(color)) + ".txt";
  const char* update = std::getenv("TTYCALL_UPDATE_GOLDENS");
  if (update != nullptr && std::string(update) == "1") {
    std::ofstream file(path, std::ios::binary | std::ios::trunc);
    file.write(frame.data(), static_cast<std::streamsize>(frame.size()));
    ASSERT_TRUE(file.good()) << "cannot write " << path;
    return;
  }
  std::ifstream file(path, std::ios::binary);
  ASSERT_TRUE(file.good()) << "missing golden " << path
                           << " (run with TTYCALL_UPDATE_GOLDENS=1 to create it)";
  const std::string expected{std::istreambuf_iterator<char>(file),
                             std::istreambuf_iterator<char>()};
  EXPECT_EQ(frame, expected) << path;
}

INSTANTIATE_TEST_SUITE_P(AllModes, RenderGoldenFrame,
                         testing::Combine(testing::ValuesIn(kModes), testing::ValuesIn(kColors)),
                         mode_name);

// ---- The 16-colour palette --------------------------------------------------------------

TEST(Palette16, EveryEntryIsItsOwnNearest) {
  for (uint8_t i = 0; i < 16; ++i) {
    const media::Rgb c = media::ansi16_color(i);
    EXPECT_EQ(media::ansi16_nearest(c.r, c.g, c.b), i) << int(i);
    EXPECT_EQ(media::ansi16_index(c.r, c.g, c.b), i) << int(i);
  }
  EXPECT_EQ(media::ansi16_color(16), media::Rgb{});
}

TEST(Palette16, TableIsCloseToExact) {
  std::mt19937 rng(1);
  auto dist = [](media::Rgb a, uint8_t r, uint8_t g, uint8_t b) {
    return (a.r - r) * (a.r - r) + (a.g - g) * (a.g - g) + (a.b - b) * (a.b - b);
  };
  int exact = 0;
  for (int n = 0; n < 20000; ++n) {
    const auto r = uint8_t(rng()), g = uint8_t(rng()), b = uint8_t(rng());
    const uint8_t fast = media::ansi16_index(r, g, b);
    const uint8_t slow = media::ansi16_nearest(r, g, b);
    exact += fast == slow;
    // Within the error a 5-bit bucket allows (at most 4 per channel from its centre).
    EXPECT_LE(std::sqrt(double(dist(media::ansi16_color(fast), r, g, b))),
              std::sqrt(double(dist(media::ansi16_color(slow), r, g, b))) + 14.0);
  }
  EXPECT_GT(exact, 19000);
}

}  // namespace
}  // namespace ttycall::media
