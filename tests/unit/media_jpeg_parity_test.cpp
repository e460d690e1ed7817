// The JPEG codec (src/media/jpeg_codec.h) is libjpeg driven as TurboJPEG drives it: for the
// same options it writes the bytes tjCompress2 writes (the viewer rebuilds the stripped
// tables and checks their hash, so a single byte of difference would end calls), and it
// decodes to the pixels tjDecompress2 gives, progressive and odd subsamplings included.
// TurboJPEG stays available to the tests for exactly this comparison.
#include <gtest/gtest.h>
#include <turbojpeg.h>

#include <algorithm>
#include <cstdint>
#include <span>
#include <string>
#include <utility>
#include <vector>

#include "media/jpeg_codec.h"

namespace ttycall::media {
namespace {

struct Picture {
  int width, height;
  std::vector<uint8_t> rgb;
  ImageView view() const { return {rgb.data(), width, height, width * 3}; }
};

// Gradients, hard edges and noise: every kind of block a grid picture or a camera has.
Picture test_picture(int width, int height, uint32_t seed) {
  Picture p{width, height, std::vector<uint8_t>(size_t(width) * height * 3)};
  uint32_t noise = seed;
  for (int y = 0; y < height; ++y) {
    for (int x = 0; x < width; ++x) {
      noise = noise * 1664525u + 1013904223u;
      uint8_t* px = &p.rgb[(size_t(y) * width + x) * 3];
      const bool edge = ((x / 7) + (y / 5)) % 3 == 0;
      px[0] = uint8_t(edge ? 230 : x * 255 / std::max(1, width - 1));
      px[1] = uint8_t(edge ? 20 : y * 255 / std::max(1, height - 1));
      px[2] = uint8_t((noise >> 24) / 2 + (x ^ y) % 64);
    }
  }
  return p;
}

// RAII for TurboJPEG's handles.
struct TjHandle {
  tjhandle h;
  explicit TjHandle(tjhandle handle) : h(handle) {}
  ~TjHandle() { tjDestroy(h); }
};

std::vector<uint8_t> tj_encode(const Picture& p, int subsampling, int quality, int flags) {
  TjHandle tj(tjInitCompress());
  std::vector<uint8_t> out(tjBufSize(p.width, p.height, subsampling));
  unsigned char* dst = out.data();
  unsigned long size = out.size();
  const int rc = tjCompress2(tj.h, p.rgb.data(), p.width, p.width * 3, p.height, TJPF_RGB, &dst,
                             &size, subsampling, quality, flags | TJFLAG_NOREALLOC);
  EXPECT_EQ(rc, 0) << tjGetErrorStr2(tj.h);
  out.resize(rc == 0 ? size : 0);
  return out;
}

// tjDecompress2's pixels, or empty if it failed (a warning still counts as decoded).
std::vector<uint8_t> tj_decode(const std::vector<uint8_t>& jpeg, int width, int height, int flags) {
  TjHandle tj(tjInitDecompress());
  std::vector<uint8_t> out(size_t(width) * height * 3);
  const int rc = tjDecompress2(tj.h, jpeg.data(), jpeg.size(), out.data(), width, width * 3, height,
                               TJPF_RGB, flags | TJFLAG_LIMITSCANS);
  if (rc != 0 && tjGetErrorCode(tj.h) != TJERR_WARNING) out.clear();
  return out;
}

std::vector<uint8_t> our_decode(const std::vector<uint8_t>& jpeg, int width, int height,
                                DctMethod dct) {
  JpegDecoder decoder(dct);
  JpegInfo info;
  if (!decoder.read_info(jpeg, info)) return {};
  EXPECT_EQ(info.width, width);
  EXPECT_EQ(info.height, height);
  std::vector<uint8_t> out(size_t(width) * height * 3);
  if (!decoder.decode(jpeg, info, out)) out.clear();
  return out;
}

TEST(JpegParity, EncodesTheBytesTjCompress2Writes) {
  const std::vector<std::pair<int, int>> sizes = {{1, 1},    {8, 8},    {17, 9},
                                                  {160, 96}, {161, 97}, {640, 480}};
  int compared = 0;
  for (const auto& [w, h] : sizes) {
    const Picture p = test_picture(w, h, uint32_t(w * 31 + h));
    for (const ChromaSubsampling sub : {ChromaSubsampling::k420, ChromaSubsampling::k444}) {
      for (const DctMethod dct : {DctMethod::kFast, DctMethod::kAccurate}) {
        for (const int quality : {1, 30, 65, 75, 95, 96, 100}) {
          SCOPED_TRACE(std::to_string(w) + "x" + std::to_string(h) + " quality " +
                       std::to_string(quality) +
                       (sub == ChromaSubsampling::k444 ? " 4:4:4" : " 4:2:0") +
                       (dct == DctMethod::kAccurate ? " accurate" : " fast"));
          const int tj_sub = sub == ChromaSubsampling::k444 ? TJSAMP_444 : TJSAMP_420;
          const int tj_dct = dct == DctMethod::kAccurate ? TJFLAG_ACCURATEDCT : TJFLAG_FASTDCT;
          const std::vector<uint8_t> expected = tj_encode(p, tj_sub, quality, tj_dct);
          JpegEncoder encoder({quality, sub, dct});
          std::vector<uint8_t> ours(JpegEncoder::max_size(w, h, sub));
          ours.resize(encoder.encode(p.view(), ours));
          ASSERT_FALSE(ours.empty());
          ASSERT_EQ(ours, expected) << "not the bytes TurboJPEG writes";
          ++compared;
        }
      }
    }
  }
  EXPECT_EQ(compared, 6 * 2 * 2 * 7);
}

TEST(JpegParity, OneEncoderGivesTheSameBytesImageAfterImage) {
  // The arena and the libjpeg object are reused: nothing of one image may leak into the next.
  JpegEncoder encoder({65, ChromaSubsampling::k444, DctMethod::kAccurate});
  for (int i = 0; i < 6; ++i) {
    const int w = i % 2 == 0 ? 160 : 320, h = i % 2 == 0 ? 96 : 200;
    const Picture p = test_picture(w, h, uint32_t(i));
    std::vector<uint8_t> ours(JpegEncoder::max_size(w, h, ChromaSubsampling::k444));
    ours.resize(encoder.encode(p.view(), ours));
    EXPECT_EQ(ours, tj_encode(p, TJSAMP_444, 65, TJFLAG_ACCURATEDCT)) << "image " << i;
  }
}

TEST(JpegParity, MaxSizeIsTjBufSize) {
  for (const auto& [w, h] :
       std::vector<std::pair<int, int>>{{1, 1}, {17, 9}, {640, 480}, {1000, 999}}) {
    EXPECT_EQ(JpegEncoder::max_size(w, h, ChromaSubsampling::k420), tjBufSize(w, h, TJSAMP_420));
    EXPECT_EQ(JpegEncoder::max_size(w, h, ChromaSubsampling::k444), tjBufSize(w, h, TJSAMP_444));
  }
}

TEST(JpegParity, DecodesThePixelsTjDecompress2Gives) {
  struct Case {
    const char* name;
    int subsampling;
    int flags;
  };
  const Case cases[] = {
      {"4:2:0", TJSAMP_420, 0},
      {"4:4:4", TJSAMP_444, 0},
      {"4:2:2", TJSAMP_422, 0},
      {"4:4:0", TJSAMP_440, 0},
      {"4:1:1", TJSAMP_411, 0},
      {"grey", TJSAMP_GRAY, 0},
      {"progressive 4:2:0", TJSAMP_420, TJFLAG_PROGRESSIVE},
      {"progressive 4:4:4", TJSAMP_444, TJFLAG_PROGRESSIVE},
  };
  for (const Case& c : cases) {
    for (const auto& [w, h] : std::vector<std::pair<int, int>>{{33, 17}, {320, 240}}) {
      const Picture p = test_picture(w, h, 7);
      const std::vector<uint8_t> jpeg = tj_encode(p, c.subsampling, 80, c.flags);
      for (const DctMethod dct : {DctMethod::kFast, DctMethod::kAccurate}) {
        SCOPED_TRACE(std::string(c.name) + " " + std::to_string(w) + "x" + std::to_string(h) +
                     (dct == DctMethod::kFast ? " fast" : " accurate"));
        const std::vector<uint8_t> expected =
            tj_decode(jpeg, w, h, dct == DctMethod::kFast ? TJFLAG_FASTDCT : 0);
        ASSERT_FALSE(expected.empty());
        EXPECT_EQ(our_decode(jpeg, w, h, dct), expected);
      }
    }
  }
}

TEST(JpegParity, ATruncatedJpegDecodesAsTurboJpegDecodesIt) {
  const Picture p = test_picture(160, 96, 3);
  std::vector<uint8_t> jpeg = tj_encode(p, TJSAMP_420, 75, TJFLAG_FASTDCT);
  jpeg.resize(jpeg.size() * 2 / 3);  // a warning: the rest of the picture is grey
  const std::vector<uint8_t> expected = tj_decode(jpeg, 160, 96, TJFLAG_FASTDCT);
  ASSERT_FALSE(expected.empty());
  JpegDecoder decoder(DctMethod::kFast);
  std::vector<uint8_t> out(size_t(160) * 96 * 3);
  EXPECT_TRUE(decoder.decode(jpeg, {160, 96}, out));
  EXPECT_EQ(out, expected);
}

// A progressive JPEG with `extra` more copies of its last scan (as fuzz/make_corpus.cpp
// makes the "many scans" CPU exhaustion).
std::vector<uint8_t> with_many_scans(const std::vector<uint8_t>& progressive, int extra) {
  size_t last_sos = 0;
  for (size_t i = 2; i + 1 < progressive.size(); ++i) {
    if (progressive[i] == 0xFF && progressive[i + 1] == 0xDA) last_sos = i;
  }
  const size_t header = 2 + (size_t(progressive[last_sos + 2]) << 8 | progressive[last_sos + 3]);
  std::vector<uint8_t> out(progressive.begin(), progressive.end() - 2);  // without the EOI
  for (int i = 0; i < extra; ++i) {
    out.insert(out.end(), progressive.begin() + long(last_sos),
               progressive.begin() + long(last_sos + header));
    out.push_back(0x00);
    out.push_back(0x00);
  }
  out.push_back(0xFF);
  out.push_back(0xD9);
  return out;
}

TEST(JpegParity, MoreThanFiveHundredScansAreRefusedAsTurboJpegRefusesThem) {
  const Picture p = test_picture(8, 8, 1);
  const std::vector<uint8_t> progressive = tj_encode(p, TJSAMP_GRAY, 75, TJFLAG_PROGRESSIVE);
  const std::vector<uint8_t> some = with_many_scans(progressive, 100);
  const std::vector<uint8_t> many = with_many_scans(progressive, 520);

  JpegDecoder decoder;
  std::vector<uint8_t> out(8 * 8 * 3);
  EXPECT_EQ(decoder.decode(some, {8, 8}, out), !tj_decode(some, 8, 8, TJFLAG_FASTDCT).empty());
  EXPECT_TRUE(tj_decode(many, 8, 8, TJFLAG_FASTDCT).empty());
  EXPECT_FALSE(decoder.decode(many, {8, 8}, out));
  EXPECT_EQ(decoder.last_message(), JpegDecoder::kTooManyScans);
  // The decoder is still good for the next frame.
  EXPECT_TRUE(decoder.decode(progressive, {8, 8}, out));
}

TEST(JpegParity, WhatIsNotAJpegIsRefusedAndTheDecoderGoesOn) {
  JpegDecoder decoder;
  JpegInfo info;
  const std::vector<uint8_t> junk = {0xFF, 0xD8, 0xFF, 0xDB, 0x00, 0x03, 0x01, 0x02, 0x03};
  EXPECT_FALSE(decoder.read_info(junk, info));
  EXPECT_NE(decoder.last_message(), 0);
  std::vector<uint8_t> out(48 * 3);
  EXPECT_FALSE(decoder.decode(junk, {4, 12}, out));
  const Picture p = test_picture(4, 12, 2);
  const std::vector<uint8_t> jpeg = tj_encode(p, TJSAMP_420, 75, TJFLAG_FASTDCT);
  EXPECT_FALSE(decoder.decode(jpeg, {4, 11}, out)) << "not info's size";
  EXPECT_FALSE(decoder.decode(jpeg, {4, 12}, std::span(out).first(47 * 3))) << "does not fit";
  ASSERT_TRUE(decoder.read_info(jpeg, info));
  EXPECT_TRUE(decoder.decode(jpeg, info, out));
  EXPECT_EQ(out, tj_decode(jpeg, 4, 12, TJFLAG_FASTDCT));
}

TEST(JpegParity, TheEncoderRefusesABufferSmallerThanMaxSize) {
  const Picture p = test_picture(64, 64, 5);
  JpegEncoder encoder;
  std::vector<uint8_t> out(JpegEncoder::max_size(64, 64) - 1);
  EXPECT_EQ(encoder.encode(p.view(), out), 0u);
  out.resize(out.size() + 1);
  EXPECT_GT(encoder.encode(p.view(), out), 0u);
}

}  // namespace
}  // namespace ttycall::media
