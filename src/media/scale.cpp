#include "media/scale.h"

#include <algorithm>
#include <array>
#include <cstring>

namespace ttycall::media {
namespace {

// Bilinear positions carry 8 fractional bits.
constexpr uint32_t kOne = 256;

// The source pixels [first, last] that make one destination pixel along one axis. The
// first and last carry their own weight; pixels in between (area averaging only) weigh
// `interior`. When first == last, w_first is the whole weight.
struct Tap {
  int first;
  int last;
  uint32_t w_first;
  uint32_t w_last;
};

// One axis of the resampling: `dst_len` pixels from the source run [offset, offset+src_len).
struct Axis {
  int offset = 0;
  int src_len = 1;
  int dst_len = 1;

  bool shrink() const { return src_len > dst_len; }
  // Sum of the weights of one destination pixel's taps.
  uint32_t total() const { return shrink() ? static_cast<uint32_t>(src_len) : kOne; }
  uint32_t interior() const { return static_cast<uint32_t>(dst_len); }

  Tap tap(int d) const {
    Tap t{};
    if (shrink()) {
      // Destination pixel d covers [d*s, (d+1)*s) measured in 1/D of a source pixel, and
      // source pixel i covers [i*D, (i+1)*D): the weights are the overlaps.
      const long s = src_len;
      const long big_d = dst_len;
      const long begin = d * s;
      const long end = begin + s;
      t.first = static_cast<int>(begin / big_d);
      t.last = static_cast<int>((end - 1) / big_d);
      t.w_first = static_cast<uint32_t>((t.first + 1) * big_d - begin);
      t.w_last = static_cast<uint32_t>(end - t.last * big_d);
    } else {
      // Sample at the destination pixel's centre, mapped into the source's pixel centres.
      const long pos_max = static_cast<long>(src_len - 1) * kOne;
      long pos = ((2L * d + 1) * src_len * kOne) / (2L * dst_len) - kOne / 2;
      pos = std::clamp(pos, 0L, pos_max);
      t.first = static_cast<int>(pos / kOne);
      const uint32_t frac = static_cast<uint32_t>(pos % kOne);
      if (frac == 0) {
        t.last = t.first;
        t.w_first = kOne;
      } else {
        t.last = t.first + 1;
        t.w_first = kOne - frac;
        t.w_last = frac;
      }
    }
    t.first += offset;
    t.last += offset;
    return t;
  }
};

inline uint32_t weight(const Tap& t, int i, uint32_t interior) {
  if (i == t.first) return t.w_first;
  if (i == t.last) return t.w_last;
  return interior;
}

// x / d rounded down, by one multiply and shift instead of a division (three a pixel add
// up): m = ceil(2^(32+l) / d) with 2^l >= d is exact for every x < 2^32 (Granlund and
// Montgomery). The sums divided here stay below 256 * d, and d <= kMaxFastTotal, so they
// are below 2^30 and x * m (m < 2^33) fits 64 bits.
constexpr uint64_t kMaxFastTotal = uint64_t(1) << 22;

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

void scale_cover(ImageView src, MutableImageView dst) {
  if (dst.rgb == nullptr || dst.width <= 0 || dst.height <= 0) return;
  if (src.rgb == nullptr || src.width <= 0 || src.height <= 0) {
    fill(dst, 0, 0, 0);
    return;
  }

  // A camera sends the size of the largest tile it is shown in, so most tiles are a plain
  // copy (the resampling below would give the same pixels, many times slower).
  if (src.width == dst.width && src.height == dst.height) {
    const size_t row_bytes = static_cast<size_t>(dst.width) * 3;
    for (int y = 0; y < dst.height; ++y) {
      std::memcpy(dst.rgb + static_cast<long>(y) * dst.stride,
                  src.rgb + static_cast<long>(y) * src.stride, row_bytes);
    }
    return;
  }

  // Crop the source's centre to the destination's aspect ratio (rounded, at least 1 px).
  Axis ax{0, src.width, dst.width};
  Axis ay{0, src.height, dst.height};
  const long wide = static_cast<long>(src.width) * dst.height;
  const long tall = static_cast<long>(dst.width) * src.height;
  if (wide > tall) {
    const long w = (2L * src.height * dst.width + dst.height) / (2L * dst.height);
    ax.src_len = static_cast<int>(std::clamp(w, 1L, static_cast<long>(src.width)));
    ax.offset = (src.width - ax.src_len) / 2;
  } else if (wide < tall) {
    const long h = (2L * src.width * dst.height + dst.width) / (2L * dst.width);
    ay.src_len = static_cast<int>(std::clamp(h, 1L, static_cast<long>(src.height)));
    ay.offset = (src.height - ay.src_len) / 2;
  }
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

void fill(MutableImageView dst, uint8_t r, uint8_t g, uint8_t b) {
  if (dst.rgb == nullptr || dst.width <= 0 || dst.height <= 0) return;
  uint8_t* first_row = dst.rgb;
  for (int x = 0; x < dst.width; ++x) {
    first_row[x * 3] = r;
    first_row[x * 3 + 1] = g;
    first_row[x * 3 + 2] = b;
  }
  const size_t row_bytes = static_cast<size_t>(dst.width) * 3;
  for (int y = 1; y < dst.height; ++y) {
    std::memcpy(dst.rgb + static_cast<long>(y) * dst.stride, first_row, row_bytes);
  }
}

}  // namespace ttycall::media
