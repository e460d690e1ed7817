// The JPEG codec allocates nothing per image in steady state: after its first image of a
// size, encoding and decoding leave the process-wide heap counters where they were, the
// malloc family included (libjpeg's work memory comes from the codec's arena,
// src/media/jpeg_arena.h). TurboJPEG, which mallocs its work memory for every image, shows
// that the counters would see it.
//
// gtest allocates too, so each measurement has nothing but the work between its snapshots.
#include <gtest/gtest.h>
#include <turbojpeg.h>

#include <cstdint>
#include <vector>

#include "core/alloc_accounting.h"
#include "media/jpeg_codec.h"

namespace ttycall::media {
namespace {

namespace acct = core::alloc_accounting;

constexpr int kFrames = 20;

// Frame `i` of a moving picture: every frame differs, as a call's do.
void draw_frame(std::vector<uint8_t>& rgb, int width, int height, int i) {
  for (int y = 0; y < height; ++y) {
    for (int x = 0; x < width; ++x) {
      uint8_t* p = &rgb[(size_t(y) * width + x) * 3];
      p[0] = uint8_t(x * 3 + i * 7);
      p[1] = uint8_t(y * 5 - i * 3);
      p[2] = uint8_t(((x + i) / 8 + y / 8) % 2 ? 220 : 30);
    }
  }
}

struct Frames {
  int width, height;
  std::vector<std::vector<uint8_t>> rgb;
  Frames(int w, int h) : width(w), height(h) {
    for (int i = 0; i < kFrames; ++i) {
      rgb.emplace_back(size_t(w) * h * 3);
      draw_frame(rgb.back(), w, h, i);
    }
  }
  ImageView view(int i) const { return {rgb[size_t(i)].data(), width, height, width * 3}; }
};

uint64_t allocs_now() {
  return acct::totals().allocs;
}

class JpegAlloc : public ::testing::TestWithParam<JpegOptions> {};

TEST_P(JpegAlloc, EncodingAndDecodingFramesOfOneSizeAllocateNothing) {
  const JpegOptions options = GetParam();
  const Frames frames(320, 200);
  JpegEncoder encoder(options);
  JpegDecoder decoder(options.dct);
  std::vector<uint8_t> jpeg(
      JpegEncoder::max_size(frames.width, frames.height, options.subsampling));
  std::vector<uint8_t> pixels(frames.rgb[0].size());
  JpegInfo info;
  // Warm-up: the first image of this size sizes the arenas.
  size_t size = encoder.encode(frames.view(0), jpeg);
  const bool warm_decoded = decoder.read_info({jpeg.data(), size}, info) &&
                            decoder.decode({jpeg.data(), size}, info, pixels);

  size_t bytes = 0;
  int decoded = 0;
  const uint64_t before = allocs_now();
  for (int i = 1; i < kFrames; ++i) {
    size = encoder.encode(frames.view(i), jpeg);
    bytes += size;
    if (decoder.read_info({jpeg.data(), size}, info) &&
        decoder.decode({jpeg.data(), size}, info, pixels)) {
      ++decoded;
    }
  }
  const uint64_t after = allocs_now();

  EXPECT_TRUE(warm_decoded);
  EXPECT_EQ(decoded, kFrames - 1);
  EXPECT_GT(bytes, 0u);
  EXPECT_EQ(after - before, 0u) << "heap allocations in " << kFrames - 1
                                << " encodes and decodes after the first";
}

INSTANTIATE_TEST_SUITE_P(
    CameraAndPicture, JpegAlloc,
    ::testing::Values(JpegOptions{75, ChromaSubsampling::k420, DctMethod::kFast},
                      JpegOptions{65, ChromaSubsampling::k444, DctMethod::kAccurate}));

TEST(JpegAllocArena, ASmallerImageAfterALargerOneAllocatesNothing) {
  const Frames big(640, 480), small(160, 96);
  JpegEncoder encoder;
  std::vector<uint8_t> jpeg(JpegEncoder::max_size(640, 480));
  encoder.encode(big.view(0), jpeg);
  const uint64_t before = allocs_now();
  for (int i = 0; i < kFrames; ++i) encoder.encode(small.view(i), jpeg);
  const uint64_t after = allocs_now();
  EXPECT_EQ(after - before, 0u);
}

TEST(JpegAllocArena, AProgressiveFrameAllocatesOnlyTheFirstTimes) {
  // The server may be sent a progressive JPEG: its whole-image buffers come from the arena
  // too, which holds them after the first such frame.
  const Frames frames(320, 240);
  std::vector<std::vector<uint8_t>> progressive;
  tjhandle tj = tjInitCompress();
  for (int i = 0; i < 4; ++i) {
    std::vector<uint8_t> out(tjBufSize(320, 240, TJSAMP_420));
    unsigned char* dst = out.data();
    unsigned long size = out.size();
    tjCompress2(tj, frames.rgb[size_t(i)].data(), 320, 320 * 3, 240, TJPF_RGB, &dst, &size,
                TJSAMP_420, 75, TJFLAG_PROGRESSIVE | TJFLAG_NOREALLOC);
    out.resize(size);
    progressive.push_back(std::move(out));
  }
  tjDestroy(tj);
  JpegDecoder decoder;
  std::vector<uint8_t> pixels(size_t(320) * 240 * 3);
  bool ok = decoder.decode(progressive[0], {320, 240}, pixels);
  ok = decoder.decode(progressive[1], {320, 240}, pixels) && ok;
  const uint64_t before = allocs_now();
  ok = decoder.decode(progressive[2], {320, 240}, pixels) && ok;
  ok = decoder.decode(progressive[3], {320, 240}, pixels) && ok;
  const uint64_t after = allocs_now();
  EXPECT_TRUE(ok);
  EXPECT_EQ(after - before, 0u);
}

TEST(JpegAllocArena, TurboJpegMallocsPerImageAndTheCountersSeeIt) {
  if (!core::kCountsMallocFamily) GTEST_SKIP() << "a sanitizer owns malloc in this build";
  const Frames frames(160, 96);
  tjhandle tj = tjInitCompress();
  std::vector<uint8_t> out(tjBufSize(160, 96, TJSAMP_420));
  auto encode = [&](int i) {
    unsigned char* dst = out.data();
    unsigned long size = out.size();
    return tjCompress2(tj, frames.rgb[size_t(i)].data(), 160, 160 * 3, 96, TJPF_RGB, &dst, &size,
                       TJSAMP_420, 75, TJFLAG_NOREALLOC | TJFLAG_FASTDCT);
  };
  encode(0);
  const uint64_t before = allocs_now();
  int rc = 0;
  for (int i = 1; i < kFrames; ++i) rc |= encode(i);
  const uint64_t after = allocs_now();
  tjDestroy(tj);
  EXPECT_EQ(rc, 0);
  EXPECT_GE(after - before, uint64_t(kFrames - 1)) << "libjpeg's per-image mallocs are counted";
}

}  // namespace
}  // namespace ttycall::media
