#include "media/scale.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <array>
#include <cstdlib>
#include <random>
#include <vector>

#include "media/scale_internal.h"

namespace ttycall::media {
namespace {

using Rgb = std::array<uint8_t, 3>;

// An owned RGB24 image for tests; `pad` extra bytes per row check that stride is honoured.
struct Image {
  Image(int w, int h, int pad = 0) : width(w), height(h), stride(w * 3 + pad) {
    pixels.assign(static_cast<size_t>(stride) * h, 0);
  }
  MutableImageView view() { return {pixels.data(), width, height, stride}; }
  ImageView cview() const { return {pixels.data(), width, height, stride}; }
  Rgb at(int x, int y) const {
    const uint8_t* p = &pixels[static_cast<size_t>(y) * stride + x * 3];
    return {p[0], p[1], p[2]};
  }
  void set(int x, int y, Rgb c) {
    uint8_t* p = &pixels[static_cast<size_t>(y) * stride + x * 3];
    p[0] = c[0];
    p[1] = c[1];
    p[2] = c[2];
  }

  int width;
  int height;
  int stride;
  std::vector<uint8_t> pixels;
};

constexpr Rgb kRed{255, 0, 0};
constexpr Rgb kGreen{0, 255, 0};
constexpr Rgb kBlue{0, 0, 255};
constexpr Rgb kWhite{255, 255, 255};

int distance(Rgb a, Rgb b) {
  return std::abs(a[0] - b[0]) + std::abs(a[1] - b[1]) + std::abs(a[2] - b[2]);
}

TEST(Fill, FillsEveryPixelAndNothingElse) {
  Image img(7, 5, 4);
  fill(img.view().sub(2, 1, 3, 2), 10, 20, 30);
  for (int y = 0; y < img.height; ++y) {
    for (int x = 0; x < img.width; ++x) {
      const bool inside = x >= 2 && x < 5 && y >= 1 && y < 3;
      EXPECT_EQ(img.at(x, y), (inside ? Rgb{10, 20, 30} : Rgb{0, 0, 0})) << x << "," << y;
    }
  }
  // Row padding is not touched.
  for (int y = 0; y < img.height; ++y) {
    for (int i = img.width * 3; i < img.stride; ++i) EXPECT_EQ(img.pixels[y * img.stride + i], 0);
  }
}

TEST(ScaleCover, SolidStaysSolid) {
  const int sizes[][2] = {{1, 1}, {3, 2}, {64, 48}, {640, 480}, {17, 93}};
  for (const auto& s : sizes) {
    for (const auto& d : sizes) {
      Image src(s[0], s[1], 5);
      fill(src.view(), 12, 200, 77);
      Image dst(d[0], d[1], 3);
      scale_cover(src.cview(), dst.view());
      for (int y = 0; y < dst.height; ++y) {
        for (int x = 0; x < dst.width; ++x) {
          ASSERT_EQ(dst.at(x, y), (Rgb{12, 200, 77}))
              << s[0] << "x" << s[1] << " -> " << d[0] << "x" << d[1] << " at " << x << "," << y;
        }
      }
    }
  }
}

Image quadrants(int half) {
  Image img(2 * half, 2 * half);
  const Rgb colours[4] = {kRed, kGreen, kBlue, kWhite};
  for (int y = 0; y < img.height; ++y) {
    for (int x = 0; x < img.width; ++x) img.set(x, y, colours[(y / half) * 2 + x / half]);
  }
  return img;
}

TEST(ScaleCover, EnlargedQuadrantsKeepTheirCorners) {
  const Image src = quadrants(1);
  Image dst(4, 4);
  scale_cover(src.cview(), dst.view());
  const Rgb colours[4] = {kRed, kGreen, kBlue, kWhite};
  EXPECT_EQ(dst.at(0, 0), kRed);
  EXPECT_EQ(dst.at(3, 0), kGreen);
  EXPECT_EQ(dst.at(0, 3), kBlue);
  EXPECT_EQ(dst.at(3, 3), kWhite);
  // Bilinear: every pixel is nearest to the colour of its own quadrant.
  for (int y = 0; y < 4; ++y) {
    for (int x = 0; x < 4; ++x) {
      const int own = (y / 2) * 2 + x / 2;
      for (int q = 0; q < 4; ++q) {
        if (q != own) {
          EXPECT_LT(distance(dst.at(x, y), colours[own]), distance(dst.at(x, y), colours[q]))
              << x << "," << y;
        }
      }
    }
  }
}

TEST(ScaleCover, ShrunkQuadrantsStayExact) {
  const Image src = quadrants(8);
  Image dst(2, 2);
  scale_cover(src.cview(), dst.view());
  EXPECT_EQ(dst.at(0, 0), kRed);
  EXPECT_EQ(dst.at(1, 0), kGreen);
  EXPECT_EQ(dst.at(0, 1), kBlue);
  EXPECT_EQ(dst.at(1, 1), kWhite);
}

TEST(ScaleCover, ShrinkToOnePixelAverages) {
  const Image src = quadrants(1);
  Image dst(1, 1);
  scale_cover(src.cview(), dst.view());
  // (255+0+0+255)/4, (0+255+0+255)/4, (0+0+255+255)/4, rounded.
  EXPECT_EQ(dst.at(0, 0), (Rgb{128, 128, 128}));
}

TEST(ScaleCover, AreaAverageWeighsPartialPixels) {
  // Three columns 0, 90, 180 into two: each output covers 1.5 input columns.
  Image src(3, 3);
  for (int y = 0; y < 3; ++y) {
    for (int x = 0; x < 3; ++x) {
      const auto v = static_cast<uint8_t>(90 * x);
      src.set(x, y, {v, v, v});
    }
  }
  Image dst(2, 2);
  scale_cover(src.cview(), dst.view());
  for (int y = 0; y < 2; ++y) {
    EXPECT_EQ(dst.at(0, y), (Rgb{30, 30, 30}));
    EXPECT_EQ(dst.at(1, y), (Rgb{150, 150, 150}));
  }
}

TEST(ScaleCover, WideSourceShowsOnlyItsCentre) {
  Image src(300, 100);
  for (int y = 0; y < src.height; ++y) {
    for (int x = 0; x < src.width; ++x) src.set(x, y, x < 100 ? kRed : x < 200 ? kGreen : kBlue);
  }
  for (int size : {1, 10, 50, 100, 250}) {
    Image dst(size, size);
    scale_cover(src.cview(), dst.view());
    for (int y = 0; y < size; ++y) {
      for (int x = 0; x < size; ++x) ASSERT_EQ(dst.at(x, y), kGreen) << size << ": " << x;
    }
  }
}

TEST(ScaleCover, TallSourceShowsOnlyItsCentre) {
  Image src(90, 270);
  for (int y = 0; y < src.height; ++y) {
    for (int x = 0; x < src.width; ++x) src.set(x, y, y < 90 ? kRed : y < 180 ? kGreen : kBlue);
  }
  Image dst(40, 40);
  scale_cover(src.cview(), dst.view());
  for (int y = 0; y < dst.height; ++y) {
    for (int x = 0; x < dst.width; ++x) ASSERT_EQ(dst.at(x, y), kGreen) << x << "," << y;
  }
}

TEST(ScaleCover, WritesOnlyInsideTheDestination) {
  Image src = quadrants(4);
  Image canvas(20, 12, 6);
  fill(canvas.view(), 1, 2, 3);
  scale_cover(src.cview(), canvas.view().sub(5, 3, 9, 6));
  for (int y = 0; y < canvas.height; ++y) {
    for (int x = 0; x < canvas.width; ++x) {
      const bool inside = x >= 5 && x < 14 && y >= 3 && y < 9;
      if (!inside) {
        ASSERT_EQ(canvas.at(x, y), (Rgb{1, 2, 3})) << x << "," << y;
      }
    }
  }
  EXPECT_EQ(canvas.at(5, 3), kRed);
  EXPECT_EQ(canvas.at(13, 8), kWhite);
}

TEST(ScaleCover, ASourceOfTheTilesOwnSizeIsCopiedPixelForPixel) {
  Image src(7, 5, 4);  // padded rows: the copy honours both strides
  for (int y = 0; y < src.height; ++y) {
    for (int x = 0; x < src.width; ++x) src.set(x, y, {uint8_t(x * 30), uint8_t(y * 40), 7});
  }
  Image canvas(12, 9, 6);
  fill(canvas.view(), 1, 2, 3);
  scale_cover(src.cview(), canvas.view().sub(2, 3, 7, 5));
  for (int y = 0; y < canvas.height; ++y) {
    for (int x = 0; x < canvas.width; ++x) {
      const bool inside = x >= 2 && x < 9 && y >= 3 && y < 8;
      ASSERT_EQ(canvas.at(x, y), (inside ? src.at(x - 2, y - 3) : Rgb{1, 2, 3})) << x << "," << y;
    }
  }
}

TEST(ScaleCover, ADestinationWiderThanOneStripHasNoSeam) {
  // Columns are resampled 1024 at a time: a gradient carries on across the strips.
  Image src(750, 1);
  for (int x = 0; x < src.width; ++x) src.set(x, 0, {uint8_t(x / 3), 0, 0});
  Image dst(1500, 2);
  scale_cover(src.cview(), dst.view());
  for (int x = 1; x < dst.width; ++x) {
    ASSERT_LE(dst.at(x - 1, 0)[0], dst.at(x, 0)[0]) << x;
    ASSERT_LE(dst.at(x, 0)[0] - dst.at(x - 1, 0)[0], 1) << x;
  }
}

TEST(ScaleCover, AHugeShrinkAveragesExactly) {
  // 2100 x 2100 source pixels into one: past the 32-bit sums, the 64-bit ones take over.
  Image src(2100, 2100);
  for (int y = 0; y < src.height; ++y) {
    for (int x = 0; x < src.width; ++x) src.set(x, y, {uint8_t(x < 1050 ? 0 : 254), 200, 77});
  }
  Image dst(1, 1);
  scale_cover(src.cview(), dst.view());
  EXPECT_EQ(dst.at(0, 0), (Rgb{127, 200, 77}));
}

TEST(ScaleCover, VeryWideDestinationKeepsAGradient) {
  // Wider than the column table: the per-pixel path must give the same kind of result.
  Image src(1000, 2);
  for (int y = 0; y < 2; ++y) {
    for (int x = 0; x < 1000; ++x) {
      const auto v = static_cast<uint8_t>(x * 255 / 999);
      src.set(x, y, {v, v, v});
    }
  }
  Image dst(3000, 6);
  scale_cover(src.cview(), dst.view());
  EXPECT_EQ(dst.at(0, 0), (Rgb{0, 0, 0}));
  EXPECT_EQ(dst.at(2999, 5), (Rgb{255, 255, 255}));
  for (int y = 0; y < dst.height; ++y) {
    for (int x = 1; x < dst.width; ++x) ASSERT_GE(dst.at(x, y)[0], dst.at(x - 1, y)[0]) << x;
  }
}

TEST(ScaleCover, EmptySourceGivesBlack) {
  Image dst(4, 3);
  fill(dst.view(), 9, 9, 9);
  scale_cover(ImageView{}, dst.view());
  for (int y = 0; y < 3; ++y) {
    for (int x = 0; x < 4; ++x) EXPECT_EQ(dst.at(x, y), (Rgb{0, 0, 0}));
  }
}

// The resamplers side by side: scalar, and AVX2 where the CPU has it. Both write into
// destinations prefilled alike (padding included), so a byte written out of place differs too.
class Resamplers : public ::testing::Test {
 protected:
  void SetUp() override {
    if (!resample_avx2_available()) GTEST_SKIP() << "no AVX2 on this CPU";
  }

  // Random pixels (and padding) for a source; a destination's bytes before it is written.
  void randomise(Image& img) {
    for (uint8_t& b : img.pixels) b = static_cast<uint8_t>(random_());
  }

  // Scales src into a dw x dh destination with `pad` bytes past each row, both ways; true
  // when both gave the same bytes and AVX2 applied.
  void expect_same(const Image& src, int dw, int dh, int pad) {
    Image scalar(dw, dh, pad);
    randomise(scalar);
    Image simd = scalar;
    const CoverAxes axes = cover_axes(src.cview(), scalar.view());
    resample_scalar(src.cview(), scalar.view(), axes);
    ASSERT_TRUE(resample_avx2(src.cview(), simd.view(), axes))
        << src.width << "x" << src.height << " -> " << dw << "x" << dh;
    if (simd.pixels == scalar.pixels) return;
    for (int y = 0; y < dh; ++y) {
      for (size_t i = 0; i < size_t(scalar.stride); ++i) {
        const size_t at = size_t(y) * scalar.stride + i;
        ASSERT_EQ(simd.pixels[at], scalar.pixels[at])
            << src.width << "x" << src.height << " (stride " << src.stride << ") -> " << dw << "x"
            << dh << " (stride " << scalar.stride << "): row " << y << ", byte " << i;
      }
    }
  }

  std::mt19937 random_{20240611};
};

TEST_F(Resamplers, TheAvx2DivisionIsExact) {
  // Its quotients only grow with x, so being right on both sides of every step (q * d - 1,
  // q * d) is being right everywhere. Every d of the float path, and some beyond.
  std::vector<uint32_t> divisors;
  for (uint32_t d = 1; d <= 20000; ++d) divisors.push_back(d);
  for (uint32_t d = 32; d <= kMaxFastTotal; d *= 2) {
    for (uint32_t near : {d - 1, d, d + 1}) divisors.push_back(near);
  }
  for (int i = 0; i < 2000; ++i) divisors.push_back(1 + random_() % uint32_t(kMaxFastTotal));
  std::vector<uint32_t> x, q;
  for (const uint32_t d : divisors) {
    x.clear();
    for (uint32_t k = 0; k < 256; ++k) {
      x.push_back(k * d);
      x.push_back(k * d + d - 1);
      x.push_back(k * d + random_() % d);
    }
    q.assign(x.size(), 0);
    divide_avx2(d, x, q);
    for (size_t i = 0; i < x.size(); ++i) ASSERT_EQ(q[i], x[i] / d) << x[i] << " / " << d;
  }
}

TEST_F(Resamplers, GiveTheSamePixelsForThousandsOfRandomSizes) {
  // Random pixels, and strides past width * 3 by any number of bytes (or none).
  auto check = [&](int sw, int sh, int dw, int dh) {
    Image src(sw, sh, random_() % 2 ? 0 : int(random_() % 40));
    randomise(src);
    expect_same(src, dw, dh, random_() % 2 ? 0 : int(random_() % 40));
  };
  // Sizes: tiny, a tile's, a camera's; in nearly half the cases one row or one column.
  auto length = [&](int kind) {
    const int limits[] = {8, 160, 480};
    return 1 + int(random_() % uint32_t(limits[kind]));
  };
  for (int i = 0; i < 3000 && !HasFatalFailure(); ++i) {
    int sw = length(random_() % 3), sh = length(random_() % 3);
    int dw = length(random_() % 2), dh = length(random_() % 2);
    int* lengths[] = {&sw, &sh, &dw, &dh};
    if (const uint32_t k = random_() % 9; k < 4) *lengths[k] = 1;
    check(sw, sh, dw, dh);
  }
  // Shrinking from more than 257 rows (kept by a destination of about the source's shape),
  // where the AVX2 version keeps 32-bit column sums and most totals take the integer
  // division.
  for (int i = 0; i < 300 && !HasFatalFailure(); ++i) {
    const int sw = 100 + int(random_() % 400), sh = 258 + int(random_() % 300);
    const int dw = length(1), dh = std::max(1, dw * sh / sw + int(random_() % 3) - 1);
    check(sw, sh, dw, dh);
  }
}

TEST_F(Resamplers, GiveTheSamePixelsForBlackAndWhiteAtTheExtremes) {
  // All 255: the largest sums, up to weights totalling 2^22, and 16-bit column sums at
  // their largest (source rows weighing 257 in all) and smallest (all 0).
  const int cases[][4] = {{2048, 2048, 8, 8},  {1024, 1024, 3, 3}, {700, 480, 1, 1},
                          {641, 479, 2, 1},    {640, 480, 640, 1}, {3, 2047, 1, 1365},
                          {771, 257, 3, 1},    {514, 257, 2, 1},   {257, 257, 256, 256},
                          {300, 258, 299, 257}};
  for (const auto& c : cases) {
    for (const uint8_t v : {uint8_t(255), uint8_t(0)}) {
      Image src(c[0], c[1], 5);
      fill(src.view(), v, v, v);
      expect_same(src, c[2], c[3], 0);
      if (HasFatalFailure()) return;
    }
  }
}

TEST_F(Resamplers, GiveTheSamePixelsAcrossManyStrips) {
  // The AVX2 version works in strips of columns bounded by its tables: wide destinations,
  // and wide taps that make for narrow strips.
  const int cases[][4] = {{750, 1, 1500, 2},   {1600, 9, 1500, 8}, {3000, 40, 1100, 13},
                          {16384, 256, 64, 1}, {9000, 60, 30, 1},  {5000, 7, 4999, 7}};
  for (const auto& c : cases) {
    Image src(c[0], c[1], 3);
    randomise(src);
    expect_same(src, c[2], c[3], 7);
    if (HasFatalFailure()) return;
  }
}

}  // namespace
}  // namespace ttycall::media
