// Specification of the camera pixel converters (src/media/pixel_convert.h): synthetic YUYV
// and MJPEG buffers, as a webcam would deliver them, become the renderer's RGB24 input.
#include "media/pixel_convert.h"

#include <gtest/gtest.h>

#include <array>
#include <cstdint>
#include <cstdlib>
#include <vector>

#include "core/alloc_accounting.h"
#include "media/jpeg_codec.h"

namespace ttycall::media {
namespace {

using Rgb = std::array<uint8_t, 3>;

struct Image {
  Image(int w, int h) : width(w), height(h), pixels(size_t(w) * h * 3, 0) {}
  MutableImageView view() { return {pixels.data(), width, height, width * 3}; }
  Rgb at(int x, int y) const {
    const uint8_t* p = &pixels[(size_t(y) * width + x) * 3];
    return {p[0], p[1], p[2]};
  }
  int width, height;
  std::vector<uint8_t> pixels;
};

void expect_near(Rgb got, Rgb want, int tolerance, const char* what) {
  for (int c = 0; c < 3; ++c) {
    EXPECT_NEAR(int(got[c]), int(want[c]), tolerance)
        << what << ": channel " << c << " is " << int(got[c]) << ", expected ~" << int(want[c]);
  }
}

// BT.601 limited range, as webcams send it: the primaries and the two extremes.
struct YCbCr {
  uint8_t y, cb, cr;
};
constexpr YCbCr kWhite{235, 128, 128}, kBlack{16, 128, 128}, kRed{81, 90, 240}, kGreen{145, 54, 34},
    kBlue{41, 240, 110};

TEST(PixelConvert, YcbcrPrimariesBecomeTheirRgbColours) {
  const std::pair<YCbCr, Rgb> cases[] = {{kWhite, {255, 255, 255}},
                                         {kBlack, {0, 0, 0}},
                                         {kRed, {255, 0, 0}},
                                         {kGreen, {0, 255, 0}},
                                         {kBlue, {0, 0, 255}}};
  for (const auto& [in, want] : cases) {
    uint8_t rgb[3];
    ycbcr_to_rgb(in.y, in.cb, in.cr, rgb);
    expect_near({rgb[0], rgb[1], rgb[2]}, want, 3, "ycbcr");
  }
}

// A 6x2 YUYV frame (with padding after each row, like a driver's bytesperline): row 0 is
// white|black pairs sharing neutral chroma, then a red pair; row 1 is green, blue, black.
TEST(PixelConvert, YuyvFrameWithRowPaddingConvertsEveryPixel) {
  constexpr int kWidth = 6, kHeight = 2, kStride = kWidth * 2 + 4;
  std::vector<uint8_t> yuyv(size_t(kStride) * kHeight, 0xAB);
  auto pair = [&](int x, int y, uint8_t y0, uint8_t y1, uint8_t cb, uint8_t cr) {
    uint8_t* p = &yuyv[size_t(y) * kStride + x * 2];
    p[0] = y0, p[1] = cb, p[2] = y1, p[3] = cr;
  };
  pair(0, 0, kWhite.y, kBlack.y, 128, 128);
  pair(2, 0, kBlack.y, kWhite.y, 128, 128);
  pair(4, 0, kRed.y, kRed.y, kRed.cb, kRed.cr);
  pair(0, 1, kGreen.y, kGreen.y, kGreen.cb, kGreen.cr);
  pair(2, 1, kBlue.y, kBlue.y, kBlue.cb, kBlue.cr);
  pair(4, 1, kBlack.y, kBlack.y, 128, 128);

  Image out(kWidth, kHeight);
  yuyv_to_rgb(yuyv.data(), kStride, out.view());
  expect_near(out.at(0, 0), {255, 255, 255}, 3, "(0,0) white");
  expect_near(out.at(1, 0), {0, 0, 0}, 3, "(1,0) black");
  expect_near(out.at(2, 0), {0, 0, 0}, 3, "(2,0) black");
  expect_near(out.at(3, 0), {255, 255, 255}, 3, "(3,0) white");
  expect_near(out.at(4, 0), {255, 0, 0}, 3, "(4,0) red");
  expect_near(out.at(5, 0), {255, 0, 0}, 3, "(5,0) red");
  expect_near(out.at(0, 1), {0, 255, 0}, 3, "(0,1) green");
  expect_near(out.at(3, 1), {0, 0, 255}, 3, "(3,1) blue");
  expect_near(out.at(5, 1), {0, 0, 0}, 3, "(5,1) black");
}

TEST(PixelConvert, YuyvOddWidthUsesTheLastPairsFirstHalf) {
  const uint8_t yuyv[4] = {kRed.y, kRed.cb, kWhite.y, kRed.cr};  // one pair, 1 pixel wanted
  Image out(1, 1);
  yuyv_to_rgb(yuyv, 4, out.view());
  expect_near(out.at(0, 0), {255, 0, 0}, 3, "the single pixel");
}

TEST(PixelConvert, YuyvConversionMakesNoHeapAllocation) {
  constexpr int kWidth = 64, kHeight = 48;
  std::vector<uint8_t> yuyv(size_t(kWidth) * 2 * kHeight, 128);
  Image out(kWidth, kHeight);
  const uint64_t before = core::alloc_accounting::totals().allocs;
  for (int i = 0; i < 10; ++i) yuyv_to_rgb(yuyv.data(), kWidth * 2, out.view());
  flip_horizontal(out.view());
  EXPECT_EQ(core::alloc_accounting::totals().allocs, before);
}

TEST(PixelConvert, FlipHorizontalMirrorsEachRow) {
  Image image(3, 2);
  for (int i = 0; i < 18; ++i) image.pixels[size_t(i)] = uint8_t(i);
  flip_horizontal(image.view());
  EXPECT_EQ(image.at(0, 0), (Rgb{6, 7, 8}));
  EXPECT_EQ(image.at(1, 0), (Rgb{3, 4, 5}));
  EXPECT_EQ(image.at(2, 0), (Rgb{0, 1, 2}));
  EXPECT_EQ(image.at(0, 1), (Rgb{15, 16, 17}));
  EXPECT_EQ(image.at(2, 1), (Rgb{9, 10, 11}));
}

// A 32x16 picture, red on the left and blue on the right, as JPEG.
std::vector<uint8_t> red_blue_jpeg() {
  Image picture(32, 16);
  for (int y = 0; y < 16; ++y) {
    for (int x = 0; x < 32; ++x) {
      uint8_t* p = &picture.pixels[(size_t(y) * 32 + x) * 3];
      p[0] = x < 16 ? 255 : 0;
      p[2] = x < 16 ? 0 : 255;
    }
  }
  JpegEncoder encoder(90);
  std::vector<uint8_t> jpeg(JpegEncoder::max_size(32, 16));
  jpeg.resize(encoder.encode(picture.view().view(), jpeg));
  return jpeg;
}

// Many webcams leave the Huffman tables (DHT segments) out of their MJPEG frames and rely
// on the standard ones; this removes them the same way.
std::vector<uint8_t> without_huffman_tables(const std::vector<uint8_t>& jpeg) {
  std::vector<uint8_t> out(jpeg.begin(), jpeg.begin() + 2);  // SOI
  size_t i = 2;
  while (i + 4 <= jpeg.size() && jpeg[i] == 0xFF) {
    const uint8_t marker = jpeg[i + 1];
    if (marker == 0xDA) break;  // start of scan: the rest is entropy-coded data
    const size_t length = (size_t(jpeg[i + 2]) << 8) | jpeg[i + 3];
    if (marker != 0xC4)
      out.insert(out.end(), jpeg.begin() + long(i), jpeg.begin() + long(i + 2 + length));
    i += 2 + length;
  }
  out.insert(out.end(), jpeg.begin() + long(i), jpeg.end());
  return out;
}

TEST(PixelConvert, MjpegFrameDecodesToItsPicture) {
  const std::vector<uint8_t> jpeg = red_blue_jpeg();
  ASSERT_GT(jpeg.size(), 0u);
  JpegDecoder decoder;
  Image out(32, 16);
  ASSERT_TRUE(mjpeg_to_rgb(decoder, jpeg, out.view()));
  expect_near(out.at(4, 8), {255, 0, 0}, 12, "left");
  expect_near(out.at(27, 8), {0, 0, 255}, 12, "right");
}

TEST(PixelConvert, MjpegFrameWithoutHuffmanTablesDecodesLikeAWebcams) {
  const std::vector<uint8_t> jpeg = red_blue_jpeg();
  const std::vector<uint8_t> bare = without_huffman_tables(jpeg);
  ASSERT_LT(bare.size(), jpeg.size()) << "the test JPEG had no DHT segment to remove";
  JpegDecoder decoder;
  Image out(32, 16);
  ASSERT_TRUE(mjpeg_to_rgb(decoder, bare, out.view()));
  expect_near(out.at(4, 8), {255, 0, 0}, 12, "left");
  expect_near(out.at(27, 8), {0, 0, 255}, 12, "right");
}

TEST(PixelConvert, MjpegOfAnotherSizeOrCorruptIsRefused) {
  const std::vector<uint8_t> jpeg = red_blue_jpeg();
  JpegDecoder decoder;
  Image wrong_size(16, 16);
  EXPECT_FALSE(mjpeg_to_rgb(decoder, jpeg, wrong_size.view()));
  Image out(32, 16);
  const std::vector<uint8_t> garbage(200, 0x5A);
  EXPECT_FALSE(mjpeg_to_rgb(decoder, garbage, out.view()));
  EXPECT_FALSE(mjpeg_to_rgb(decoder, {jpeg.data(), 10}, out.view()));
}

}  // namespace
}  // namespace ttycall::media
