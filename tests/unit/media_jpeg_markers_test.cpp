#include "media/jpeg_markers.h"

#include <gtest/gtest.h>
#include <turbojpeg.h>

#include <vector>

#include "media/jpeg_tables.h"

namespace ttycall::media {
namespace {

std::vector<uint8_t> encoded(int flags) {
  std::vector<uint8_t> rgb(32 * 16 * 3, 90);
  tjhandle handle = tjInitCompress();
  unsigned char* out = nullptr;
  unsigned long size = 0;
  std::vector<uint8_t> jpeg;
  if (tjCompress2(handle, rgb.data(), 32, 32 * 3, 16, TJPF_RGB, &out, &size, TJSAMP_444, 70,
                  flags) == 0) {
    jpeg.assign(out, out + size);
  }
  tjFree(out);
  tjDestroy(handle);
  return jpeg;
}

// `jpeg` with its frame marker (SOF0) replaced by `marker`.
std::vector<uint8_t> with_frame_marker(std::vector<uint8_t> jpeg, uint8_t marker) {
  for (size_t i = 2; i + 1 < jpeg.size(); ++i) {
    if (jpeg[i] == 0xFF && jpeg[i + 1] == jpeg_markers::kSof0) {
      jpeg[i + 1] = marker;
      break;
    }
  }
  return jpeg;
}

TEST(JpegMarkers, WhatTtycallEncodesIsBaseline) {
  EXPECT_TRUE(jpeg_markers::is_baseline(encoded(0)));
  EXPECT_TRUE(jpeg_markers::is_baseline(encoded(TJFLAG_ACCURATEDCT)));
  // A picture going down, its tables left out, too.
  std::vector<uint8_t> picture = encoded(TJFLAG_ACCURATEDCT);
  const StrippedJpeg stripped = strip_tables(picture, picture);
  ASSERT_GT(stripped.size, 0u);
  EXPECT_TRUE(jpeg_markers::is_baseline({picture.data(), stripped.size}));
}

TEST(JpegMarkers, OtherKindsOfJpegAreNot) {
  EXPECT_FALSE(jpeg_markers::is_baseline(encoded(TJFLAG_PROGRESSIVE)));
  const std::vector<uint8_t> baseline = encoded(0);
  for (const uint8_t marker : {0xC1, 0xC2, 0xC3, 0xC5, 0xC9, 0xCA, 0xCB, 0xCD, 0xCF}) {
    SCOPED_TRACE(int(marker));
    EXPECT_FALSE(jpeg_markers::is_baseline(with_frame_marker(baseline, marker)));
  }
}

TEST(JpegMarkers, ABrokenHeaderIsNot) {
  const std::vector<uint8_t> baseline = encoded(0);
  EXPECT_FALSE(jpeg_markers::is_baseline({}));
  EXPECT_FALSE(jpeg_markers::is_baseline({baseline.data(), 40}));  // ends inside the header
  std::vector<uint8_t> no_soi = baseline;
  no_soi[1] = 0x00;
  EXPECT_FALSE(jpeg_markers::is_baseline(no_soi));
  // Two frame headers before the scan.
  std::vector<uint8_t> twice(baseline.begin(), baseline.begin() + 2);
  size_t sof = 0;
  for (size_t i = 2; i + 1 < baseline.size(); ++i) {
    if (baseline[i] == 0xFF && baseline[i + 1] == jpeg_markers::kSof0) {
      sof = i;
      break;
    }
  }
  ASSERT_GT(sof, 0u);
  const size_t length = 2 + (size_t(baseline[sof + 2]) << 8 | baseline[sof + 3]);
  twice.insert(twice.end(), baseline.begin() + long(sof), baseline.begin() + long(sof + length));
  twice.insert(twice.end(), baseline.begin() + 2, baseline.end());
  EXPECT_FALSE(jpeg_markers::is_baseline(twice));
}

}  // namespace
}  // namespace ttycall::media
