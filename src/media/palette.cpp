#include "media/palette.h"

#include <type_traits>

namespace ttycall::media {
namespace {

constexpr int kCubeLevels[6] = {0, 95, 135, 175, 215, 255};
constexpr int kGreyFirst = 232;  // grey ramp: 232 + k shows 8 + 10 * k, k in 0..23

// Distances are computed on doubled coordinates so that table buckets can be sampled at
// their exact centre (a half-integer) with integer math.
int nearest_cube_level(int v2) {
  int best = 0;
  for (int i = 1; i < 6; ++i) {
    const int d = v2 - 2 * kCubeLevels[i];
    const int best_d = v2 - 2 * kCubeLevels[best];
    if (d * d < best_d * best_d) best = i;
  }
  return best;
}

// Nearest palette index to the colour (r2, g2, b2) / 2.
uint8_t nearest_doubled(int r2, int g2, int b2) {
  const int ri = nearest_cube_level(r2);
  const int gi = nearest_cube_level(g2);
  const int bi = nearest_cube_level(b2);
  auto sq = [](int v) { return v * v; };
  const int cube_dist =
      sq(r2 - 2 * kCubeLevels[ri]) + sq(g2 - 2 * kCubeLevels[gi]) + sq(b2 - 2 * kCubeLevels[bi]);

  // The best grey is the ramp step nearest to the mean; checking its neighbours covers
  // the rounding.
  const int mean2 = (r2 + g2 + b2) / 3;
  int best_k = 0;
  int grey_dist = -1;
  for (int k = (mean2 / 2 - 8) / 10 - 1; k <= (mean2 / 2 - 8) / 10 + 1; ++k) {
    if (k < 0 || k > 23) continue;
    const int level2 = 2 * (8 + 10 * k);
    const int d = sq(r2 - level2) + sq(g2 - level2) + sq(b2 - level2);
    if (grey_dist < 0 || d < grey_dist) {
      grey_dist = d;
      best_k = k;
    }
  }
  if (grey_dist >= 0 && grey_dist < cube_dist) return static_cast<uint8_t>(kGreyFirst + best_k);
  return static_cast<uint8_t>(16 + 36 * ri + 6 * gi + bi);
}

constexpr int kAnsi16[16][3] = {
    {0, 0, 0},     {205, 0, 0},     {0, 205, 0},     {205, 205, 0},   {0, 0, 238}, {205, 0, 205},
    {0, 205, 205}, {229, 229, 229}, {127, 127, 127}, {255, 0, 0},     {0, 255, 0}, {255, 255, 0},
    {92, 92, 255}, {255, 0, 255},   {0, 255, 255},   {255, 255, 255},
};

// Nearest ANSI colour to (r2, g2, b2) / 2, doubled coordinates as above.
uint8_t ansi16_nearest_doubled(int r2, int g2, int b2) {
  auto sq = [](int v) { return v * v; };
  int best = 0;
  int best_dist = -1;
  for (int i = 0; i < 16; ++i) {
    const int d =
        sq(r2 - 2 * kAnsi16[i][0]) + sq(g2 - 2 * kAnsi16[i][1]) + sq(b2 - 2 * kAnsi16[i][2]);
    if (best_dist < 0 || d < best_dist) {
      best_dist = d;
      best = i;
    }
  }
  return static_cast<uint8_t>(best);
}

// A 5-bit-per-channel table of `nearest` (a nearest_doubled function) at each bucket's
// centre; both palettes' tables have this type and key.
Xterm256Lut build_lut(uint8_t (*nearest)(int, int, int)) {
  static_assert(std::is_same_v<Xterm256Lut, Ansi16Lut>);
  Xterm256Lut lut{};
  for (int r = 0; r < 32; ++r) {
    for (int g = 0; g < 32; ++g) {
      for (int b = 0; b < 32; ++b) {
        // Bucket q holds 8q..8q+7; its centre doubled is 16q + 7.
        lut[r << 10 | g << 5 | b] = nearest(16 * r + 7, 16 * g + 7, 16 * b + 7);
      }
    }
  }
  return lut;
}

}  // namespace

Rgb xterm256_color(uint8_t index) {
  if (index < 16) return {};
  if (index >= kGreyFirst) {
    const auto v = static_cast<uint8_t>(8 + 10 * (index - kGreyFirst));
    return {v, v, v};
  }
  const int i = index - 16;
  return {static_cast<uint8_t>(kCubeLevels[i / 36]), static_cast<uint8_t>(kCubeLevels[i / 6 % 6]),
          static_cast<uint8_t>(kCubeLevels[i % 6])};
}

uint8_t xterm256_nearest(uint8_t r, uint8_t g, uint8_t b) {
  return nearest_doubled(2 * r, 2 * g, 2 * b);
}

const Xterm256Lut& xterm256_lut() {
  static const Xterm256Lut lut = build_lut(nearest_doubled);
  return lut;
}

Rgb ansi16_color(uint8_t index) {
  if (index >= 16) return {};
  return {static_cast<uint8_t>(kAnsi16[index][0]), static_cast<uint8_t>(kAnsi16[index][1]),
          static_cast<uint8_t>(kAnsi16[index][2])};
}

uint8_t ansi16_nearest(uint8_t r, uint8_t g, uint8_t b) {
  return ansi16_nearest_doubled(2 * r, 2 * g, 2 * b);
}

const Ansi16Lut& ansi16_lut() {
  static const Ansi16Lut lut = build_lut(ansi16_nearest_doubled);
  return lut;
}

}  // namespace ttycall::media
