#include "media/text_renderer.h"

#include <gtest/gtest.h>

#include <array>
#include <cmath>
#include <cstdlib>
#include <fstream>
#include <iterator>
#include <random>
#include <string>
#include <vector>

#include "media/palette.h"
#include "media/terminal_sequences.h"

namespace ttycall::media {
namespace {

// A canvas of cols x rows*2 square pixels, owned by the test.
struct Canvas {
  Canvas(int cols, int rows) : width(cols), height(rows * 2) {
    pixels.assign(static_cast<size_t>(width) * height * 3, 0);
  }
  ImageView view() const { return {pixels.data(), width, height, width * 3}; }
  void set(int x, int y, uint8_t r, uint8_t g, uint8_t b) {
    uint8_t* p = &pixels[(static_cast<size_t>(y) * width + x) * 3];
    p[0] = r;
    p[1] = g;
    p[2] = b;
  }
  void fill(uint8_t r, uint8_t g, uint8_t b) {
    for (int y = 0; y < height; ++y) {
      for (int x = 0; x < width; ++x) set(x, y, r, g, b);
    }
  }

  int width;
  int height;
  std::vector<uint8_t> pixels;
};

std::string render(const Canvas& canvas, RenderTarget target,
                   std::span<const OverlayCell> overlay = {}) {
  std::vector<uint8_t> out(max_frame_bytes(target));
  const size_t n = render_frame(canvas.view(), target, overlay, out);
  EXPECT_GT(n, 0u);
  return std::string(out.begin(), out.begin() + static_cast<long>(n));
}

// ESC as \e, and a line break before every cursor move, so frames can be read in a diff.
std::string readable(const std::string& bytes) {
  std::string text;
  for (size_t i = 0; i < bytes.size(); ++i) {
    const char c = bytes[i];
    if (c == '\x1b') {
      if (i + 2 < bytes.size() && bytes[i + 1] == '[' && bytes[i + 2] >= '0' &&
          bytes[i + 2] <= '9' && bytes.find('H', i) < bytes.find('m', i)) {
        text += '\n';
      }
      text += "\\e";
    } else {
      text += c;
    }
  }
  return text;
}

size_t count(const std::string& haystack, const std::string& needle) {
  size_t n = 0;
  for (size_t pos = haystack.find(needle); pos != std::string::npos;
       pos = haystack.find(needle, pos + 1)) {
    ++n;
  }
  return n;
}

// SGR sequences other than the final reset.
size_t count_sgr(const std::string& frame) {
  size_t n = 0;
  for (size_t i = 0; i + 1 < frame.size(); ++i) {
    if (frame[i] != '\x1b' || frame[i + 1] != '[') continue;
    size_t j = i + 2;
    while (j < frame.size() && ((frame[j] >= '0' && frame[j] <= '9') || frame[j] == ';')) ++j;
    if (j < frame.size() && frame[j] == 'm' && frame.compare(i, j - i + 1, "\x1b[0m") != 0) ++n;
  }
  return n;
}

const RenderMode kModes[] = {RenderMode::kAscii, RenderMode::kHalf};
const ColorMode kColors[] = {ColorMode::kNone, ColorMode::k16, ColorMode::k256,
                             ColorMode::kTrueColor};

// --- Goldens -------------------------------------------------------------------------

// 8 x 6 pixels (8 x 3 cells): runs of colours in pairs, so that some neighbours share a
// colour and some do not, plus a two-cell label and a highlighted cell on the last row.
Canvas golden_canvas() {
  static constexpr uint8_t kColours[8][3] = {
      {0, 0, 0},   {255, 255, 255}, {255, 0, 0},     {0, 255, 0},
      {0, 0, 255}, {255, 255, 0},   {128, 128, 128}, {255, 128, 0},
  };
  Canvas canvas(8, 3);
  for (int y = 0; y < canvas.height; ++y) {
    for (int x = 0; x < canvas.width; ++x) {
      const uint8_t* c = kColours[(x / 2 + y) % 8];
      canvas.set(x, y, c[0], c[1], c[2]);
    }
  }
  return canvas;
}

std::vector<OverlayCell> golden_overlay() {
  std::vector<OverlayCell> overlay(8 * 3);
  overlay[2 * 8 + 0] = {'H', kOverlayLabel};
  overlay[2 * 8 + 1] = {'i', kOverlayLabel};
  overlay[2 * 8 + 3] = {0x2605, kOverlayHighlight};  // ★
  return overlay;
}

std::string golden_path(RenderMode mode, ColorMode color) {
  return std::string(TTYCALL_GOLDEN_DIR) + "/render_" + std::string(to_string(mode)) + "_" +
         std::string(to_string(color)) + ".txt";
}

class RenderGolden : public testing::TestWithParam<std::tuple<RenderMode, ColorMode>> {};

TEST_P(RenderGolden, MatchesFile) {
  const auto [mode, color] = GetParam();
  const std::vector<OverlayCell> overlay = golden_overlay();
  const std::string frame = render(golden_canvas(), {8, 3, mode, color}, overlay);
  const std::string path = golden_path(mode, color);

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
  if (frame != expected) {
    size_t at = 0;
    while (at < frame.size() && at < expected.size() && frame[at] == expected[at]) ++at;
    ADD_FAILURE() << path << " differs from byte " << at << "\n--- expected\n"
                  << readable(expected) << "\n--- actual\n"
                  << readable(frame) << "\n";
  }
}

INSTANTIATE_TEST_SUITE_P(AllModes, RenderGolden,
                         testing::Combine(testing::ValuesIn(kModes), testing::ValuesIn(kColors)),
                         [](const auto& info) {
                           return std::string(to_string(std::get<0>(info.param))) + "_" +
                                  std::string(to_string(std::get<1>(info.param)));
                         });

// --- Frame structure ----------------------------------------------------------------

TEST(TerminalSequences, AFrameEndsByResettingAttributesThenShowingTheUpdate) {
  EXPECT_EQ(terminal::kFrameBegin, "\x1b[?2026h");
  EXPECT_EQ(terminal::kFrameEnd, "\x1b[0m\x1b[?2026l");
  EXPECT_EQ(terminal::kFrameEnd,
            std::string(terminal::kResetAttributes) + std::string(terminal::kSyncEnd));
}

TEST(TextRenderer, FrameIsSynchronizedAndPositionsEveryRow) {
  Canvas canvas(5, 12);
  canvas.fill(10, 20, 30);
  for (RenderMode mode : kModes) {
    for (ColorMode color : kColors) {
      const std::string frame = render(canvas, {5, 12, mode, color});
      EXPECT_EQ(frame.rfind("\x1b[?2026h", 0), 0u);
      const std::string end = "\x1b[0m\x1b[?2026l";
      ASSERT_GE(frame.size(), end.size());
      EXPECT_EQ(frame.substr(frame.size() - end.size()), end);
      size_t pos = 0;
      for (int row = 1; row <= 12; ++row) {
        const std::string move = "\x1b[" + std::to_string(row) + ";1H";
        const size_t found = frame.find(move, pos);
        ASSERT_NE(found, std::string::npos) << move;
        pos = found + move.size();
      }
      EXPECT_EQ(frame.find('\n'), std::string::npos);
    }
  }
}

TEST(TextRenderer, SolidImageSetsItsColourOnce) {
  Canvas canvas(20, 10);
  canvas.fill(200, 60, 30);
  for (RenderMode mode : kModes) {
    for (ColorMode color : kColors) {
      const std::string frame = render(canvas, {20, 10, mode, color});
      EXPECT_EQ(count_sgr(frame), color == ColorMode::kNone ? 0u : 1u)
          << to_string(mode) << "/" << to_string(color) << "\n"
          << readable(frame);
    }
  }
}

TEST(TextRenderer, CursorMovesDoNotResetColour) {
  // Left half one colour, right half another: each row changes colour at the middle and
  // back at its start, except the very first cell of the frame.
  Canvas canvas(10, 4);
  for (int y = 0; y < canvas.height; ++y) {
    for (int x = 0; x < canvas.width; ++x) {
      if (x < 5) {
        canvas.set(x, y, 250, 250, 250);
      } else {
        canvas.set(x, y, 0, 200, 200);  // bright enough not to be a blank in ascii
      }
    }
  }
  for (RenderMode mode : kModes) {
    for (ColorMode color : {ColorMode::k256, ColorMode::kTrueColor}) {
      const std::string frame = render(canvas, {10, 4, mode, color});
      EXPECT_EQ(count_sgr(frame), 2u * 4) << readable(frame);
    }
  }
}

TEST(TextRenderer, HalfBlockCarriesBothPixels) {
  Canvas canvas(1, 1);
  canvas.set(0, 0, 1, 2, 3);
  canvas.set(0, 1, 250, 251, 252);
  const std::string frame = render(canvas, {1, 1, RenderMode::kHalf, ColorMode::kTrueColor});
  EXPECT_NE(frame.find("\x1b[38;2;1;2;3;48;2;250;251;252m\xE2\x96\x80"), std::string::npos)
      << readable(frame);
}

TEST(TextRenderer, ColourlessHalfBlocksThresholdEachPixel) {
  Canvas canvas(4, 1);
  canvas.set(1, 0, 255, 255, 255);  // top only
  canvas.set(2, 1, 255, 255, 255);  // bottom only
  canvas.set(3, 0, 200, 200, 200);  // both
  canvas.set(3, 1, 130, 130, 130);
  const std::string frame = render(canvas, {4, 1, RenderMode::kHalf, ColorMode::kNone});
  EXPECT_NE(frame.find(" \xE2\x96\x80\xE2\x96\x84\xE2\x96\x88"), std::string::npos)
      << readable(frame);
}

TEST(TextRenderer, AsciiRampFollowsLuminance) {
  Canvas canvas(10, 1);
  for (int x = 0; x < 10; ++x) {
    const auto v = static_cast<uint8_t>(x * 255 / 9);
    canvas.set(x, 0, v, v, v);
    canvas.set(x, 1, v, v, v);
  }
  const std::string frame = render(canvas, {10, 1, RenderMode::kAscii, ColorMode::kNone});
  EXPECT_NE(frame.find("\x1b[1;1H .:-=+*#%@"), std::string::npos) << readable(frame);
}

TEST(TextRenderer, AsciiColourAveragesTheTwoPixels) {
  Canvas canvas(1, 1);
  canvas.set(0, 0, 200, 100, 0);
  canvas.set(0, 1, 100, 200, 51);
  const std::string frame = render(canvas, {1, 1, RenderMode::kAscii, ColorMode::kTrueColor});
  // Average (150, 150, 26): luma 134 -> ramp step 5 '+'; no background.
  EXPECT_NE(frame.find("\x1b[38;2;150;150;26m+"), std::string::npos) << readable(frame);
  EXPECT_EQ(frame.find("48;"), std::string::npos);
}

// --- Overlay ------------------------------------------------------------------------

TEST(TextRenderer, OverlayDrawsUtf8InItsStyle) {
  Canvas canvas(6, 2);
  canvas.fill(90, 90, 90);
  std::vector<OverlayCell> overlay(6 * 2);
  overlay[0] = {'A', kOverlayLabel};
  overlay[1] = {0xE9, kOverlayLabel};     // é, 2 bytes
  overlay[2] = {0x2605, kOverlayLabel};   // ★, 3 bytes
  overlay[3] = {0x1F600, kOverlayLabel};  // 😀, 4 bytes
  overlay[7] = {'Z', kOverlayHighlight};
  overlay[8] = {0x1b, kOverlayLabel};      // control character: must not reach the tty
  overlay[9] = {0x110000, kOverlayLabel};  // not a code point
  for (RenderMode mode : kModes) {
    for (ColorMode color : kColors) {
      const std::string frame = render(canvas, {6, 2, mode, color}, overlay);
      SCOPED_TRACE(readable(frame));
      EXPECT_NE(frame.find("A\xC3\xA9\xE2\x98\x85\xF0\x9F\x98\x80"), std::string::npos);
      EXPECT_NE(frame.find('Z'), std::string::npos);
      EXPECT_NE(frame.find("?\xEF\xBF\xBD"), std::string::npos);
      // Every ESC starts a CSI sequence: nothing from the overlay slipped through.
      EXPECT_EQ(count(frame, "\x1b"), count(frame, "\x1b["));
    }
  }
}

TEST(TextRenderer, OverlayStylesPerColourMode) {
  Canvas canvas(3, 1);
  std::vector<OverlayCell> overlay = {{'a', kOverlayLabel}, {'b', kOverlayHighlight}, {}};
  auto frame = [&](ColorMode color) {
    return render(canvas, {3, 1, RenderMode::kHalf, color}, overlay);
  };
  EXPECT_NE(frame(ColorMode::kTrueColor)
                .find("\x1b[38;2;230;230;230;48;2;40;40;40ma\x1b[38;2;0;0;0;48;2;255;200;0mb"),
            std::string::npos);
  // (40, 40, 40) falls in the table bucket 40..47, whose centre is nearest grey 48 (236).
  EXPECT_NE(frame(ColorMode::k256).find("\x1b[38;5;254;48;5;236ma\x1b[38;5;16;48;5;220mb"),
            std::string::npos)
      << readable(frame(ColorMode::k256));
  EXPECT_NE(frame(ColorMode::kNone).find("a\x1b[7mb\x1b[27m "), std::string::npos)
      << readable(frame(ColorMode::kNone));
}

TEST(TextRenderer, AsciiPictureAfterOverlayRestoresDefaultBackground) {
  Canvas canvas(2, 1);
  canvas.fill(255, 255, 255);
  std::vector<OverlayCell> overlay = {{'x', kOverlayLabel}, {}};
  const std::string frame =
      render(canvas, {2, 1, RenderMode::kAscii, ColorMode::kTrueColor}, overlay);
  EXPECT_NE(frame.find("x\x1b[38;2;255;255;255;49m@"), std::string::npos) << readable(frame);
}

// --- 256-colour palette --------------------------------------------------------------

TEST(Palette, PrimariesAndGreysMapToTheirEntries) {
  EXPECT_EQ(xterm256_index(255, 0, 0), 196);
  EXPECT_EQ(xterm256_index(0, 255, 0), 46);
  EXPECT_EQ(xterm256_index(0, 0, 255), 21);
  EXPECT_EQ(xterm256_index(255, 255, 0), 226);
  EXPECT_EQ(xterm256_index(0, 255, 255), 51);
  EXPECT_EQ(xterm256_index(255, 0, 255), 201);
  EXPECT_EQ(xterm256_index(0, 0, 0), 16);
  EXPECT_EQ(xterm256_index(255, 255, 255), 231);
  EXPECT_EQ(xterm256_index(48, 48, 48), 236);
  EXPECT_EQ(xterm256_index(108, 108, 108), 242);
  EXPECT_EQ(xterm256_index(238, 238, 238), 255);
  EXPECT_EQ(xterm256_index(95, 135, 175), 16 + 36 * 1 + 6 * 2 + 3);
}

TEST(Palette, ExactNearestFindsEveryEntryItself) {
  for (int i = 16; i < 256; ++i) {
    const Rgb c = xterm256_color(static_cast<uint8_t>(i));
    EXPECT_EQ(xterm256_color(xterm256_nearest(c.r, c.g, c.b)), c) << i;
  }
}

TEST(Palette, GreysStayGrey) {
  for (int v = 0; v < 256; ++v) {
    const auto u = static_cast<uint8_t>(v);
    const Rgb c = xterm256_color(xterm256_index(u, u, u));
    EXPECT_TRUE(c.r == c.g && c.g == c.b) << v;
    EXPECT_LE(std::abs(c.r - v), 9) << v;
  }
}

TEST(Palette, TableIsCloseToExact) {
  // The table answers for the centre c of each 8x8x8 bucket, at most 3.5 per channel
  // (sqrt(3) * 3.5 in distance) from any colour p in it. By the triangle inequality its
  // answer is then at most twice that further from p than the exact nearest entry.
  const double slack = 2 * std::sqrt(3.0) * 3.5 + 1e-9;
  std::mt19937 rng(7);
  auto dist = [](Rgb a, int r, int g, int b) {
    return std::sqrt(double((a.r - r) * (a.r - r) + (a.g - g) * (a.g - g) + (a.b - b) * (a.b - b)));
  };
  for (int i = 0; i < 20000; ++i) {
    const auto r = static_cast<uint8_t>(rng());
    const auto g = static_cast<uint8_t>(rng());
    const auto b = static_cast<uint8_t>(rng());
    const double exact = dist(xterm256_color(xterm256_nearest(r, g, b)), r, g, b);
    const double table = dist(xterm256_color(xterm256_index(r, g, b)), r, g, b);
    ASSERT_LE(table, exact + slack) << int(r) << "," << int(g) << "," << int(b);
  }
}

TEST(TextRenderer, Palette256InFrames) {
  Canvas canvas(3, 1);
  canvas.set(0, 0, 255, 0, 0);
  canvas.set(0, 1, 0, 255, 0);
  canvas.set(1, 0, 0, 0, 255);
  canvas.set(1, 1, 255, 255, 255);
  canvas.set(2, 0, 0, 0, 0);
  canvas.set(2, 1, 48, 48, 48);
  const std::string frame = render(canvas, {3, 1, RenderMode::kHalf, ColorMode::k256});
  const std::string h = "\xE2\x96\x80";
  EXPECT_NE(frame.find("\x1b[38;5;196;48;5;46m" + h + "\x1b[38;5;21;48;5;231m" + h +
                       "\x1b[38;5;16;48;5;236m" + h),
            std::string::npos)
      << readable(frame);
}

// --- Buffer bounds --------------------------------------------------------------------

void randomize(Canvas& canvas, std::mt19937& rng) {
  for (uint8_t& v : canvas.pixels) v = static_cast<uint8_t>(rng());
}

std::vector<OverlayCell> full_overlay(int cells, std::mt19937& rng) {
  std::vector<OverlayCell> overlay(static_cast<size_t>(cells));
  for (OverlayCell& c : overlay) {
    c.codepoint = 0x10000 + rng() % 0x100000;  // always 4 bytes of UTF-8
    c.style = static_cast<uint8_t>(rng() % 2);
  }
  return overlay;
}

TEST(TextRenderer, MaxFrameBytesBoundsRandomFrames) {
  std::mt19937 rng(1234);
  const int sizes[][2] = {{1, 1}, {7, 3}, {80, 24}, {123, 45}};
  for (const auto& s : sizes) {
    Canvas canvas(s[0], s[1]);
    for (RenderMode mode : kModes) {
      for (ColorMode color : kColors) {
        const RenderTarget target{s[0], s[1], mode, color};
        const size_t bound = max_frame_bytes(target);
        std::vector<uint8_t> out(bound);
        for (int round = 0; round < 3; ++round) {
          randomize(canvas, rng);
          const std::vector<OverlayCell> overlay =
              round == 0 ? std::vector<OverlayCell>{} : full_overlay(s[0] * s[1], rng);
          const size_t n = render_frame(canvas.view(), target, overlay, out);
          ASSERT_GT(n, 0u);
          ASSERT_LE(n, bound);
        }
      }
    }
  }
}

TEST(TextRenderer, MaxFrameBytesBoundsTheWorstCase) {
  // Every cell changes both colours, all with three-digit components, and every other
  // cell is a 4-byte overlay character that switches style.
  const int cols = 40;
  const int rows = 12;
  Canvas canvas(cols, rows);
  for (int y = 0; y < canvas.height; ++y) {
    for (int x = 0; x < canvas.width; ++x) {
      if ((x + y) % 2 == 0) {
        canvas.set(x, y, 255, 254, 253);
      } else {
        canvas.set(x, y, 101, 102, 103);
      }
    }
  }
  std::vector<OverlayCell> overlay(cols * rows);
  for (size_t i = 0; i < overlay.size(); ++i) {
    overlay[i] = {0x1F600, static_cast<uint8_t>(i % 2)};
  }
  for (RenderMode mode : kModes) {
    for (ColorMode color : kColors) {
      const RenderTarget target{cols, rows, mode, color};
      for (const auto& o : {std::vector<OverlayCell>{}, overlay}) {
        std::vector<uint8_t> out(max_frame_bytes(target));
        const size_t n = render_frame(canvas.view(), target, o, out);
        ASSERT_GT(n, 0u);
        EXPECT_LE(n, out.size());
      }
    }
  }
}

TEST(TextRenderer, TooSmallBufferWritesNothingBeyondIt) {
  std::mt19937 rng(99);
  Canvas canvas(8, 3);
  randomize(canvas, rng);
  const std::vector<OverlayCell> overlay = golden_overlay();
  constexpr size_t kGuard = 64;
  for (RenderMode mode : kModes) {
    for (ColorMode color : kColors) {
      const RenderTarget target{8, 3, mode, color};
      const std::string full = render(canvas, target, overlay);
      for (size_t size = 0; size <= full.size(); ++size) {
        std::vector<uint8_t> buffer(size + kGuard, 0xA5);
        const size_t n =
            render_frame(canvas.view(), target, overlay, std::span<uint8_t>(buffer.data(), size));
        if (size < full.size()) {
          ASSERT_EQ(n, 0u) << size;
        } else {
          ASSERT_EQ(n, full.size());
          EXPECT_EQ(std::string(buffer.begin(), buffer.begin() + static_cast<long>(n)), full);
        }
        for (size_t i = size; i < buffer.size(); ++i) ASSERT_EQ(buffer[i], 0xA5) << size;
      }
    }
  }
}

TEST(TextRenderer, CanvasSmallerThanTargetIsRefused) {
  Canvas canvas(4, 2);
  std::vector<uint8_t> out(4096);
  EXPECT_EQ(render_frame(canvas.view(), {5, 2, RenderMode::kHalf, ColorMode::kNone}, {}, out), 0u);
  EXPECT_EQ(render_frame(canvas.view(), {4, 3, RenderMode::kHalf, ColorMode::kNone}, {}, out), 0u);
  EXPECT_EQ(render_frame(ImageView{}, {4, 2, RenderMode::kHalf, ColorMode::kNone}, {}, out), 0u);
}

}  // namespace
}  // namespace ttycall::media
