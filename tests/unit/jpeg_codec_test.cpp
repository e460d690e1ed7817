// Specification of the JPEG encoder's options (src/media/jpeg_codec.h): the camera uplink
// keeps 4:2:0 at quality 75, pictures of the composed grid use 4:4:4, which keeps the colour
// of every pixel (a half-block cell's two halves can differ in colour from one row to the
// next).
#include "media/jpeg_codec.h"

#include <gtest/gtest.h>

#include <cstdint>
#include <cstdlib>
#include <vector>

namespace ttycall::media {
namespace {

constexpr int kWidth = 48, kHeight = 32;

// Single-pixel colour detail: rows alternate red and blue, and the right half is a
// checkerboard of green and magenta. 4:2:0 averages each 2x2 block's colour away.
std::vector<uint8_t> colour_detail() {
  std::vector<uint8_t> rgb(size_t(kWidth) * kHeight * 3);
  for (int y = 0; y < kHeight; ++y) {
    for (int x = 0; x < kWidth; ++x) {
      uint8_t* p = &rgb[(size_t(y) * kWidth + x) * 3];
      const bool odd = x < kWidth / 2 ? (y & 1) != 0 : ((x ^ y) & 1) != 0;
      if (x < kWidth / 2) {
        p[0] = odd ? 40 : 220;
        p[1] = 40;
        p[2] = odd ? 220 : 40;
      } else {
        p[0] = odd ? 200 : 40;
        p[1] = odd ? 40 : 200;
        p[2] = odd ? 200 : 40;
      }
    }
  }
  return rgb;
}

// Mean absolute error per channel of a round trip through `options`.
double round_trip_error(const std::vector<uint8_t>& rgb, JpegOptions options) {
  JpegEncoder encoder(options);
  std::vector<uint8_t> jpeg(JpegEncoder::max_size(kWidth, kHeight, options.subsampling));
  jpeg.resize(encoder.encode({rgb.data(), kWidth, kHeight, kWidth * 3}, jpeg));
  EXPECT_GT(jpeg.size(), 0u);
  JpegDecoder decoder(options.dct);
  JpegInfo info;
  EXPECT_TRUE(decoder.read_info(jpeg, info));
  EXPECT_EQ(info.width, kWidth);
  EXPECT_EQ(info.height, kHeight);
  std::vector<uint8_t> out(rgb.size());
  EXPECT_TRUE(decoder.decode(jpeg, info, out));
  long sum = 0;
  for (size_t i = 0; i < rgb.size(); ++i) sum += std::abs(int(rgb[i]) - int(out[i]));
  return double(sum) / double(rgb.size());
}

TEST(JpegCodec, DefaultsAreTheCameraUplinks) {
  const JpegEncoder encoder;
  EXPECT_EQ(encoder.options().quality, 75);
  EXPECT_EQ(encoder.options().subsampling, ChromaSubsampling::k420);
  EXPECT_EQ(encoder.options().dct, DctMethod::kFast);
  EXPECT_EQ(JpegEncoder(90).options().subsampling, ChromaSubsampling::k420);
}

TEST(JpegCodec, FullChromaRoundTripKeepsSinglePixelColour) {
  const std::vector<uint8_t> rgb = colour_detail();
  const double full = round_trip_error(rgb, {90, ChromaSubsampling::k444, DctMethod::kFast});
  const double accurate =
      round_trip_error(rgb, {90, ChromaSubsampling::k444, DctMethod::kAccurate});
  const double half = round_trip_error(rgb, {90, ChromaSubsampling::k420, DctMethod::kFast});
  EXPECT_LT(full, 4.0);
  EXPECT_LT(accurate, 4.0);
  // 4:2:0 turns the red/blue rows into purple: tens of levels off on average.
  EXPECT_GT(half, 20.0);
}

TEST(JpegCodec, FullChromaNeedsItsLargerBuffer) {
  const std::vector<uint8_t> rgb = colour_detail();
  const size_t small = JpegEncoder::max_size(kWidth, kHeight, ChromaSubsampling::k420);
  const size_t large = JpegEncoder::max_size(kWidth, kHeight, ChromaSubsampling::k444);
  ASSERT_LT(small, large);
  JpegEncoder encoder({80, ChromaSubsampling::k444, DctMethod::kFast});
  std::vector<uint8_t> out(small);
  EXPECT_EQ(encoder.encode({rgb.data(), kWidth, kHeight, kWidth * 3}, out), 0u);
  out.resize(large);
  EXPECT_GT(encoder.encode({rgb.data(), kWidth, kHeight, kWidth * 3}, out), 0u);
}

}  // namespace
}  // namespace ttycall::media
