#include "media/render_options.h"

#include <gtest/gtest.h>

namespace ttycall::media {
namespace {

// Colour modes are ordered by how many colours they show (the 'c' key cycles in this order).
static_assert(static_cast<int>(RenderMode::kAscii) == 0);
static_assert(static_cast<int>(RenderMode::kHalf) == 1);
static_assert(static_cast<int>(ColorMode::kNone) == 0);
static_assert(static_cast<int>(ColorMode::k16) == 1);
static_assert(static_cast<int>(ColorMode::k256) == 2);
static_assert(static_cast<int>(ColorMode::kTrueColor) == 3);
static_assert(kColorModeCount == 4);

TEST(RenderOptions, RenderModeRoundTrips) {
  for (int i = 0; i < kRenderModeCount; ++i) {
    const auto mode = static_cast<RenderMode>(i);
    EXPECT_EQ(parse_render_mode(to_string(mode)), mode);
  }
  EXPECT_EQ(to_string(RenderMode::kAscii), "ascii");
  EXPECT_EQ(to_string(RenderMode::kHalf), "half");
}

TEST(RenderOptions, ColorModeRoundTrips) {
  for (int i = 0; i < kColorModeCount; ++i) {
    const auto mode = static_cast<ColorMode>(i);
    EXPECT_EQ(parse_color_mode(to_string(mode)), mode);
  }
  EXPECT_EQ(to_string(ColorMode::kNone), "none");
  EXPECT_EQ(to_string(ColorMode::k16), "16");
  EXPECT_EQ(to_string(ColorMode::k256), "256");
  EXPECT_EQ(to_string(ColorMode::kTrueColor), "true");
}

TEST(RenderOptions, AcceptsColortermSpellings) {
  EXPECT_EQ(parse_color_mode("truecolor"), ColorMode::kTrueColor);
  EXPECT_EQ(parse_color_mode("24bit"), ColorMode::kTrueColor);
}

TEST(RenderOptions, RejectsUnknownText) {
  for (const char* text : {"", "Ascii", "half ", "block", "full", "sixel"}) {
    EXPECT_FALSE(parse_render_mode(text).has_value()) << text;
  }
  for (const char* text : {"", "None", "8", "16 ", "255", "256 ", "TRUE", "24-bit", "rgb"}) {
    EXPECT_FALSE(parse_color_mode(text).has_value()) << text;
  }
}

}  // namespace
}  // namespace ttycall::media
