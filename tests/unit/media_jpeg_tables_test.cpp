// Pictures travel without their JPEG tables (src/media/jpeg_tables.h): the server strips
// them, the viewer makes the same ones from the quality and puts them back.
#include "media/jpeg_tables.h"

#include <gtest/gtest.h>

#include <cstdint>
#include <vector>

#include "core/alloc_accounting.h"

namespace ttycall::media {
namespace {

constexpr int kWidth = 64, kHeight = 40;
constexpr JpegOptions kPictures = picture_jpeg_options(65);

const core::AllocSite& test_site() {
  static const core::AllocSite site("test.jpeg_tables");
  return site;
}

std::vector<uint8_t> gradient() {
  std::vector<uint8_t> rgb(size_t(kWidth) * kHeight * 3);
  for (size_t i = 0; i < rgb.size(); ++i) rgb[i] = uint8_t(i * 7 + i / 97);
  return rgb;
}

std::vector<uint8_t> encode(const std::vector<uint8_t>& rgb, JpegOptions options) {
  JpegEncoder encoder(options);
  std::vector<uint8_t> jpeg(JpegEncoder::max_size(kWidth, kHeight, options.subsampling));
  jpeg.resize(encoder.encode({rgb.data(), kWidth, kHeight, kWidth * 3}, jpeg));
  return jpeg;
}

std::vector<uint8_t> decode(std::span<const uint8_t> jpeg) {
  JpegDecoder decoder(DctMethod::kAccurate);
  JpegInfo info;
  std::vector<uint8_t> rgb(size_t(kWidth) * kHeight * 3);
  if (!decoder.read_info(jpeg, info) || info.width != kWidth || info.height != kHeight ||
      !decoder.decode(jpeg, info, rgb)) {
    return {};
  }
  return rgb;
}

// Whether a marker segment of this type comes before the scan.
bool has_segment(std::span<const uint8_t> jpeg, uint8_t marker) {
  for (size_t at = 2; at + 4 <= jpeg.size();) {
    if (jpeg[at + 1] == marker) return true;
    if (jpeg[at + 1] == 0xDA) return false;
    at += 2 + (size_t(jpeg[at + 2]) << 8 | jpeg[at + 3]);
  }
  return false;
}

TEST(JpegTables, AStrippedPictureWithItsTablesBackDecodesAsTheWholeOne) {
  const std::vector<uint8_t> rgb = gradient();
  const std::vector<uint8_t> whole = encode(rgb, kPictures);
  std::vector<uint8_t> stripped(whole.size());
  const StrippedJpeg s = strip_tables(whole, stripped);
  ASSERT_GT(s.size, 0u);
  stripped.resize(s.size);
  EXPECT_GE(whole.size() - stripped.size(), 500u);  // JFIF, 2 DQT and 4 DHT segments
  for (uint8_t marker : {0xDB, 0xC4, 0xE0}) EXPECT_FALSE(has_segment(stripped, marker)) << marker;
  EXPECT_TRUE(decode(stripped).empty());  // no tables: not a picture on its own

  const JpegTables tables(kPictures, test_site());
  EXPECT_EQ(tables.hash(), s.tables_hash);
  std::vector<uint8_t> restored(stripped.size() + tables.overhead());
  ASSERT_EQ(tables.restore(stripped, restored), restored.size());
  EXPECT_EQ(decode(restored), decode(whole));
  EXPECT_FALSE(decode(whole).empty());
}

TEST(JpegTables, StrippingInPlaceGivesTheSameBytes) {
  const std::vector<uint8_t> whole = encode(gradient(), kPictures);
  std::vector<uint8_t> elsewhere(whole.size());
  const StrippedJpeg a = strip_tables(whole, elsewhere);
  std::vector<uint8_t> in_place = whole;
  const StrippedJpeg b = strip_tables(in_place, in_place);
  ASSERT_EQ(a.size, b.size);
  EXPECT_TRUE(std::equal(elsewhere.begin(), elsewhere.begin() + long(a.size), in_place.begin()));
  EXPECT_EQ(a.tables_hash, b.tables_hash);
}

TEST(JpegTables, TheTablesDependOnTheQualityAloneAndTheHashSaysWhich) {
  const JpegTables q65(kPictures, test_site());
  std::vector<uint8_t> other(
      encode(std::vector<uint8_t>(size_t(kWidth) * kHeight * 3, 200), kPictures));
  EXPECT_EQ(strip_tables(other, other).tables_hash, q65.hash());  // another picture
  const JpegTables q80(picture_jpeg_options(80), test_site());
  EXPECT_NE(q80.hash(), q65.hash());
}

TEST(JpegTables, WhatIsNotAJpegIsRefused) {
  const std::vector<uint8_t> whole = encode(gradient(), kPictures);
  std::vector<uint8_t> out(whole.size());
  EXPECT_EQ(strip_tables(std::vector<uint8_t>{1, 2, 3, 4, 5}, out).size, 0u);
  // A segment that runs past the end, and a stream cut before the scan.
  std::vector<uint8_t> cut(whole.begin(), whole.begin() + 30);
  EXPECT_EQ(strip_tables(cut, out).size, 0u);
  EXPECT_EQ(strip_tables(whole, std::span<uint8_t>(out.data(), whole.size() - 1)).size, 0u);

  const JpegTables tables(kPictures, test_site());
  std::vector<uint8_t> restored(whole.size() + tables.overhead());
  EXPECT_EQ(tables.restore(std::vector<uint8_t>{0xFF, 0xD9}, restored), 0u);
  EXPECT_EQ(tables.restore(whole, std::span<uint8_t>(restored.data(), whole.size())), 0u);
}

}  // namespace
}  // namespace ttycall::media
