// scale_cover's resampler in plain C++: the version every CPU runs and the one the SIMD
// versions are tested against.
#include <algorithm>
#include <array>

#include "media/scale_internal.h"

namespace ttycall::media {
namespace {

// x / d rounded down, by one multiply and shift instead of a division (three a pixel add
// up): m = ceil(2^(32+l) / d) with 2^l >= d is exact for every x < 2^32 (Granlund and
// Montgomery). The sums divided here stay below 256 * d, and d <= kMaxFastTotal, so they
// are below 2^30 and x * m (m < 2^33) fits 64 bits.
class Divider {
 public:
  explicit Divider(uint32_t d) {
    while ((uint64_t(1) << shift_) < d) ++shift_;
    multiplier_ = ((uint64_t(1) << (32 + shift_)) + d - 1) / d;
  }
  uint32_t operator()(uint64_t x) const {
    return static_cast<uint32_t>((x * multiplier_) >> (32 + shift_));
  }

 private:
  int shift_ = 0;
  uint64_t multiplier_ = 0;
};

// Destination columns are resampled this many at a time, their taps and sums on the stack.
constexpr int kMaxStrip = 1024;

// The destination columns [x0, x0 + n) of every row: each source row a destination row
// reads is summed across (each column's taps) and added with its row weight. Integer sums,
// so the result is the same as summing each pixel's taps in any order. `Sum` is uint32_t
// with a Divider when every pixel's sum fits 30 bits (kMaxFastTotal), uint64_t and `/`
// beyond (sources of more than 2048 x 2048 pixels a destination pixel).
template <class Sum, class Divide>
void resample_strip(ImageView src, MutableImageView dst, const Axis& ax, const Axis& ay, int x0,
                    int n, uint64_t total, const Divide& divide) {
  std::array<Tap, kMaxStrip> taps;  // left uninitialised: only [0, n) is read
  for (int x = 0; x < n; ++x) taps[x] = ax.tap(x0 + x);
  std::array<Sum, kMaxStrip * 3> sums;
  const uint32_t x_interior = ax.interior();
  const uint32_t y_interior = ay.interior();
  for (int y = 0; y < dst.height; ++y) {
    const Tap ty = ay.tap(y);
    std::fill_n(sums.begin(), n * 3, static_cast<Sum>(total / 2));  // rounds to nearest
    for (int sy = ty.first; sy <= ty.last; ++sy) {
      const Sum wy = weight(ty, sy, y_interior);
      const uint8_t* row = src.rgb + static_cast<long>(sy) * src.stride;
      for (int x = 0; x < n; ++x) {
        const Tap& tx = taps[x];
        const uint8_t* p = row + tx.first * 3;
        uint32_t r = p[0] * tx.w_first, g = p[1] * tx.w_first, b = p[2] * tx.w_first;
        for (int sx = tx.first + 1; sx < tx.last; ++sx) {
          p += 3;
          r += p[0] * x_interior;
          g += p[1] * x_interior;
          b += p[2] * x_interior;
        }
        if (tx.last != tx.first) {
          const uint8_t* q = row + tx.last * 3;
          r += q[0] * tx.w_last;
          g += q[1] * tx.w_last;
          b += q[2] * tx.w_last;
        }
        sums[x * 3] += r * wy;
        sums[x * 3 + 1] += g * wy;
        sums[x * 3 + 2] += b * wy;
      }
    }
    uint8_t* out = dst.rgb + static_cast<long>(y) * dst.stride + x0 * 3;
    for (int i = 0; i < n * 3; ++i) out[i] = static_cast<uint8_t>(divide(sums[i]));
  }
}

}  // namespace

void resample_scalar(ImageView src, MutableImageView dst, const CoverAxes& axes) {
  const Axis& ax = axes.x;
  const Axis& ay = axes.y;
  const uint64_t total = uint64_t(ax.total()) * ay.total();
  for (int x0 = 0; x0 < dst.width; x0 += kMaxStrip) {
    const int n = std::min(kMaxStrip, dst.width - x0);
    if (total <= kMaxFastTotal) {
      resample_strip<uint32_t>(src, dst, ax, ay, x0, n, total, Divider(uint32_t(total)));
    } else {
      resample_strip<uint64_t>(src, dst, ax, ay, x0, n, total,
                               [total](uint64_t x) { return uint32_t(x / total); });
    }
  }
}

}  // namespace ttycall::media
