// Specification of load::SharedPatternFrames (src/load/shared_pattern_frames.h): the load
// generator's camera frames, encoded once per size and shared.
#include "load/shared_pattern_frames.h"

#include <gtest/gtest.h>

#include <set>
#include <vector>

#include "media/jpeg_codec.h"

namespace ttycall::load {
namespace {

TEST(SharedPatternFrames, EachFrameIsAJpegOfTheSizeAsked) {
  SharedPatternFrames frames;
  media::JpegDecoder decoder;
  for (const auto& [w, h] : {std::pair{64, 48}, std::pair{58, 22}, std::pair{16, 16}}) {
    const std::span<const uint8_t> jpeg = frames.frame(w, h, 7);
    ASSERT_FALSE(jpeg.empty()) << w << "x" << h;
    media::JpegInfo info;
    ASSERT_TRUE(decoder.read_info(jpeg, info)) << w << "x" << h;
    EXPECT_EQ(info.width, w);
    EXPECT_EQ(info.height, h);
    std::vector<uint8_t> pixels(size_t(w) * h * 3);
    EXPECT_TRUE(decoder.decode(jpeg, info, pixels));
  }
  EXPECT_EQ(frames.sizes_encoded(), 3u);
}

TEST(SharedPatternFrames, ASizeIsEncodedOnceAndItsSecondLoops) {
  SharedPatternFrames frames;
  const std::span<const uint8_t> first = frames.frame(80, 40, 3);
  // The same frame again is the same bytes, not a new encoding; a second later it repeats.
  EXPECT_EQ(frames.frame(80, 40, 3).data(), first.data());
  EXPECT_EQ(frames.frame(80, 40, 3 + SharedPatternFrames::kFramesPerSize).data(), first.data());
  EXPECT_EQ(frames.sizes_encoded(), 1u);
  // The pattern moves: the second's frames are not all alike.
  std::set<std::vector<uint8_t>> distinct;
  for (int i = 0; i < SharedPatternFrames::kFramesPerSize; ++i) {
    const std::span<const uint8_t> f = frames.frame(80, 40, uint64_t(i));
    distinct.emplace(f.begin(), f.end());
  }
  EXPECT_GT(distinct.size(), 10u);
}

TEST(SharedPatternFrames, NoFrameForAnEmptySize) {
  SharedPatternFrames frames;
  EXPECT_TRUE(frames.frame(0, 40, 0).empty());
  EXPECT_TRUE(frames.frame(40, -1, 0).empty());
  EXPECT_EQ(frames.sizes_encoded(), 0u);
}

}  // namespace
}  // namespace ttycall::load
