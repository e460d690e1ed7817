#include "client/test_patterns.h"

#include <cmath>

#include "media/scale.h"

namespace ttycall::client {

void BarsSource::capture(media::MutableImageView out, uint64_t, double) {
  static constexpr uint8_t kBars[7][3] = {{192, 192, 192}, {192, 192, 0}, {0, 192, 192},
                                          {0, 192, 0},     {192, 0, 192}, {192, 0, 0},
                                          {0, 0, 192}};
  const int top = out.height * 3 / 4;
  for (int y = 0; y < out.height; ++y) {
    uint8_t* row = out.rgb + static_cast<long>(y) * out.stride;
    for (int x = 0; x < out.width; ++x) {
      uint8_t* p = row + x * 3;
      if (y < top) {
        const int bar = x * 7 / out.width;
        p[0] = kBars[bar][0];
        p[1] = kBars[bar][1];
        p[2] = kBars[bar][2];
      } else {
        const uint8_t v = static_cast<uint8_t>(x * 255 / std::max(1, out.width - 1));
        p[0] = p[1] = p[2] = v;  // a grey ramp along the bottom
      }
    }
  }
}

void SolidSource::capture(media::MutableImageView out, uint64_t, double) {
  media::fill(out, r_, g_, b_);
}

void MovingSource::capture(media::MutableImageView out, uint64_t, double t) {
  const double phase = (seed_ % 7) * 0.9;
  const double speed = 0.6 + (seed_ % 3) * 0.25;
  // Ball position bounces inside the frame.
  const double bx = 0.5 + 0.38 * std::sin(t * speed * 1.7 + phase);
  const double by = 0.5 + 0.35 * std::sin(t * speed * 2.3 + phase * 2);
  const int cx = static_cast<int>(bx * out.width);
  const int cy = static_cast<int>(by * out.height);
  const int radius = std::max(2, std::min(out.width, out.height) / 6);
  const int r2 = radius * radius;
  const int shift = static_cast<int>(t * 40 * speed);
  for (int y = 0; y < out.height; ++y) {
    uint8_t* row = out.rgb + static_cast<long>(y) * out.stride;
    for (int x = 0; x < out.width; ++x) {
      uint8_t* p = row + x * 3;
      const int dx = x - cx, dy = y - cy;
      if (dx * dx + dy * dy <= r2) {
        p[0] = 250;
        p[1] = 250;
        p[2] = 240;
        continue;
      }
      const int u = (x * 255 / std::max(1, out.width) + shift) & 255;
      const int v = y * 255 / std::max(1, out.height);
      switch (seed_ % 3) {
        case 0:
          p[0] = uint8_t(u);
          p[1] = uint8_t(v);
          p[2] = uint8_t(255 - u);
          break;
        case 1:
          p[0] = uint8_t(v);
          p[1] = uint8_t(255 - u);
          p[2] = uint8_t(u);
          break;
        default:
          p[0] = uint8_t(255 - v);
          p[1] = uint8_t(u / 2);
          p[2] = uint8_t(v);
          break;
      }
    }
  }
}

}  // namespace ttycall::client
