// Specification of client::make_video_source and the synthetic cameras
// (src/client/video_source.h, src/client/test_patterns.h).
#include "client/video_source.h"

#include <gtest/gtest.h>

#include <array>
#include <cstdint>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "core/alloc_accounting.h"

namespace ttycall::client {
namespace {

using Rgb = std::array<uint8_t, 3>;
constexpr uint8_t kPadByte = 0xEE;

// An owned RGB24 image; `pad` extra bytes per row (set to kPadByte) check that a source
// honours the stride and leaves the padding alone.
struct Image {
  Image(int w, int h, int pad = 0) : width(w), height(h), stride(w * 3 + pad) {
    pixels.assign(static_cast<size_t>(stride) * h, 0);
    for (int y = 0; y < h; ++y) {
      for (int i = w * 3; i < stride; ++i) pixels[static_cast<size_t>(y) * stride + i] = kPadByte;
    }
  }
  media::MutableImageView view() { return {pixels.data(), width, height, stride}; }
  Rgb at(int x, int y) const {
    const uint8_t* p = &pixels[static_cast<size_t>(y) * stride + x * 3];
    return {p[0], p[1], p[2]};
  }
  bool padding_untouched() const {
    for (int y = 0; y < height; ++y) {
      for (int i = width * 3; i < stride; ++i) {
        if (pixels[static_cast<size_t>(y) * stride + i] != kPadByte) return false;
      }
    }
    return true;
  }

  int width;
  int height;
  int stride;
  std::vector<uint8_t> pixels;
};

std::unique_ptr<VideoSource> make_or_fail(std::string_view spec, uint32_t seed = 0) {
  core::Result<OpenedVideo> r = make_video_source(spec, seed);
  if (!r.is_ok()) {
    ADD_FAILURE() << spec << ": " << r.status().message();
    return nullptr;
  }
  EXPECT_NE(r->source, nullptr) << spec;
  return std::move(r->source);
}

// The message `spec` is refused with; it must be refused.
std::string refusal(std::string_view spec) {
  const core::Result<OpenedVideo> r = make_video_source(spec);
  EXPECT_FALSE(r.is_ok()) << "'" << spec << "'";
  return r.status().message();
}

// ---- parsing specs ----

TEST(ClientVideoSource, ParsesEveryValidSpec) {
  for (std::string_view spec : {"test:bars", "test:moving", "test:solid:ff8000",
                                "test:solid:000000", "test:solid:FFFFFF", "test:solid:aBcDeF"}) {
    make_or_fail(spec);
  }
}

TEST(ClientVideoSource, NoneIsNoSourceAndNoError) {
  const core::Result<OpenedVideo> r = make_video_source("none");
  ASSERT_TRUE(r.is_ok()) << r.status().message();
  EXPECT_EQ(r.value().source, nullptr);
}

TEST(ClientVideoSource, UnknownSpecsAreRejectedWithAMessageNamingThem) {
  for (std::string_view spec : {"", "bars", "test:", "test:bar", "TEST:BARS", "test:bars ", " none",
                                "None", "camera:0", "test:moving:3"}) {
    const std::string why = refusal(spec);
    EXPECT_NE(why.find("unknown video source '" + std::string(spec) + "'"), std::string::npos)
        << "'" << spec << "': " << why;
    EXPECT_NE(why.find("test:solid:RRGGBB"), std::string::npos) << why;
  }
}

TEST(ClientVideoSource, BadSolidColoursAreRejectedWithAMessage) {
  for (std::string_view spec :
       {"test:solid:", "test:solid:fff", "test:solid:12345", "test:solid:1234567",
        "test:solid:gg0000", "test:solid:12345g", "test:solid:0x1234", "test:solid:-12345",
        "test:solid:+12345", "test:solid: 12345", "test:solid:ff 000"}) {
    const std::string why = refusal(spec);
    EXPECT_NE(why.find("six hex digits"), std::string::npos) << "'" << spec << "': " << why;
  }
}

// ---- solid ----

TEST(ClientVideoSource, SolidFillsEveryPixelWithTheExactColour) {
  auto source = make_or_fail("test:solid:ff8001");
  ASSERT_NE(source, nullptr);
  Image image(33, 17, 5);
  source->capture(image.view(), 0, 0.0);

  for (int y = 0; y < image.height; ++y) {
    for (int x = 0; x < image.width; ++x) {
      ASSERT_EQ(image.at(x, y), (Rgb{0xff, 0x80, 0x01})) << x << "," << y;
    }
  }
  EXPECT_TRUE(image.padding_untouched());
}

TEST(ClientVideoSource, SolidColourIsParsedPerChannel) {
  for (auto [spec, colour] : {std::pair<std::string_view, Rgb>{"test:solid:000000", {0, 0, 0}},
                              {"test:solid:ff0000", {255, 0, 0}},
                              {"test:solid:00FF00", {0, 255, 0}},
                              {"test:solid:0000ff", {0, 0, 255}},
                              {"test:solid:123456", {0x12, 0x34, 0x56}}}) {
    auto source = make_or_fail(spec);
    ASSERT_NE(source, nullptr);
    Image image(4, 4);
    source->capture(image.view(), 0, 0.0);
    EXPECT_EQ(image.at(0, 0), colour) << spec;
    EXPECT_EQ(image.at(3, 3), colour) << spec;
  }
}

// ---- moving ----

TEST(ClientVideoSource, MovingChangesOverTime) {
  auto source = make_or_fail("test:moving");
  ASSERT_NE(source, nullptr);
  Image t0(64, 36), t1(64, 36);
  source->capture(t0.view(), 0, 0.0);
  source->capture(t1.view(), 30, 1.0);
  EXPECT_NE(t0.pixels, t1.pixels);
}

TEST(ClientVideoSource, MovingIsDeterministicForATime) {
  auto a = make_or_fail("test:moving", 5);
  auto b = make_or_fail("test:moving", 5);
  ASSERT_TRUE(a && b);
  Image ia(64, 36), ib(64, 36);
  a->capture(ia.view(), 12, 0.4);
  b->capture(ib.view(), 12, 0.4);
  EXPECT_EQ(ia.pixels, ib.pixels);
}

TEST(ClientVideoSource, MovingDiffersBetweenSeeds) {
  auto a = make_or_fail("test:moving", 0);
  auto b = make_or_fail("test:moving", 1);
  ASSERT_TRUE(a && b);
  Image ia(64, 36), ib(64, 36);
  a->capture(ia.view(), 0, 0.0);
  b->capture(ib.view(), 0, 0.0);
  EXPECT_NE(ia.pixels, ib.pixels);
}

TEST(ClientVideoSource, MovingHonoursTheStride) {
  auto source = make_or_fail("test:moving");
  ASSERT_NE(source, nullptr);
  Image image(40, 20, 7);
  source->capture(image.view(), 0, 0.5);
  EXPECT_TRUE(image.padding_untouched());
}

// ---- bars ----

TEST(ClientVideoSource, BarsHasSevenDistinctColoursAcrossTheTop) {
  auto source = make_or_fail("test:bars");
  ASSERT_NE(source, nullptr);
  Image image(70, 40, 3);
  source->capture(image.view(), 0, 0.0);

  std::set<Rgb> colours;
  for (int bar = 0; bar < 7; ++bar) {
    const int x = bar * 10 + 5;  // the middle of each 10-pixel bar
    colours.insert(image.at(x, 0));
    EXPECT_EQ(image.at(x, 0), image.at(bar * 10, 29)) << "a bar is one colour, bar " << bar;
    EXPECT_EQ(image.at(x, 0), image.at(bar * 10 + 9, 15)) << "bar " << bar;
  }
  EXPECT_EQ(colours.size(), 7u);

  std::set<Rgb> whole_top_row;
  for (int x = 0; x < image.width; ++x) whole_top_row.insert(image.at(x, 0));
  EXPECT_EQ(whole_top_row.size(), 7u) << "exactly seven colours across the top";
  EXPECT_TRUE(image.padding_untouched());
}

TEST(ClientVideoSource, BarsBottomQuarterIsAGreyRamp) {
  auto source = make_or_fail("test:bars");
  ASSERT_NE(source, nullptr);
  Image image(70, 40);
  source->capture(image.view(), 0, 0.0);

  const int y = 39;
  EXPECT_EQ(image.at(0, y), (Rgb{0, 0, 0}));
  EXPECT_EQ(image.at(69, y), (Rgb{255, 255, 255}));
  for (int x = 1; x < image.width; ++x) {
    const Rgb p = image.at(x, y);
    EXPECT_EQ(p[0], p[1]);
    EXPECT_EQ(p[1], p[2]);
    EXPECT_GE(p[0], image.at(x - 1, y)[0]) << "the ramp rises left to right";
  }
}

// ---- no allocation per frame ----

TEST(ClientVideoSource, CapturingAFrameDoesNotAllocate) {
  for (std::string_view spec : {"test:bars", "test:moving", "test:solid:336699"}) {
    auto source = make_or_fail(spec, 3);
    ASSERT_NE(source, nullptr);
    Image image(160, 90, 4);
    source->capture(image.view(), 0, 0.0);  // a first frame, in case of any lazy setup

    const uint64_t before = core::alloc_accounting::totals().allocs;
    for (int frame = 1; frame <= 30; ++frame) {
      source->capture(image.view(), uint64_t(frame), frame / 30.0);
    }
    const uint64_t after = core::alloc_accounting::totals().allocs;
    EXPECT_EQ(after, before) << spec;
  }
}

// ---- cameras and files ----

TEST(ClientVideoSource, FlipMirrorsTheSourceLeftToRight) {
  Image plain(70, 10), flipped(70, 10);
  make_or_fail("test:bars")->capture(plain.view(), 0, 0.0);
  VideoSourceOptions options;
  options.flip = true;
  core::Result<OpenedVideo> r = make_video_source("test:bars", options);
  ASSERT_TRUE(r.is_ok()) << r.status().message();
  r->source->capture(flipped.view(), 0, 0.0);
  for (int x = 0; x < 70; ++x) EXPECT_EQ(flipped.at(x, 3), plain.at(69 - x, 3)) << "x " << x;
  EXPECT_NE(plain.at(0, 3), plain.at(69, 3)) << "the bars should not be symmetric";
}

TEST(ClientVideoSource, SpecKindsAreRecognised) {
  EXPECT_TRUE(is_camera_spec("device"));
  EXPECT_TRUE(is_camera_spec("v4l2:/dev/video3"));
  EXPECT_FALSE(is_camera_spec("file:x.mp4"));
  EXPECT_TRUE(is_media_spec("file:x.mp4"));
  EXPECT_TRUE(is_media_spec("rtsp://camera.local/stream"));
  EXPECT_TRUE(is_media_spec("https://example.org/a.webm"));
  EXPECT_FALSE(is_media_spec("test:bars"));
}

// What cannot be opened says so in one line and names what to fix; nothing is half-made.
TEST(ClientVideoSource, MissingCameraOrFileIsAClearError) {
  const struct {
    const char* spec;
    const char* says;
  } cases[] = {{"v4l2:/dev/video-none-such", "no camera /dev/video-none-such"},
               {"v4l2:/dev/null", "not a V4L2 camera"},
               {"file:", "needs a path"},
               {"file:/nonexistent/talk.mp4", "check the path"}};
  for (const auto& c : cases) {
    const std::string why = refusal(c.spec);
    EXPECT_NE(why.find(c.says), std::string::npos) << c.spec << ": " << why;
    EXPECT_EQ(why.find('\n'), std::string::npos) << c.spec << ": " << why;
  }
}

}  // namespace
}  // namespace ttycall::client
