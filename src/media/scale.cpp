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

// Destination widths up to this use a precomputed column table (on the stack, 32 KiB);
// wider ones compute each column's taps as they go.
constexpr int kMaxTableWidth = 2048;

}  // namespace

void scale_cover(ImageView src, MutableImageView dst) {
  if (dst.rgb == nullptr || dst.width <= 0 || dst.height <= 0) return;
  if (src.rgb == nullptr || src.width <= 0 || src.height <= 0) {
    fill(dst, 0, 0, 0);
    return;
  }

  // A camera sends the size of the largest tile it is shown in, so most tiles are a plain
  // copy (the resampling below would give the same pixels, a hundred times slower).
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

  std::array<Tap, kMaxTableWidth> table;  // left uninitialised: only [0, width) is read
  const bool use_table = dst.width <= kMaxTableWidth;
  if (use_table) {
    for (int x = 0; x < dst.width; ++x) table[x] = ax.tap(x);
  }

  const uint64_t total = static_cast<uint64_t>(ax.total()) * ay.total();
  const uint32_t x_interior = ax.interior();
  const uint32_t y_interior = ay.interior();
  for (int y = 0; y < dst.height; ++y) {
    const Tap ty = ay.tap(y);
    uint8_t* out = dst.rgb + static_cast<long>(y) * dst.stride;
    for (int x = 0; x < dst.width; ++x, out += 3) {
      const Tap tx = use_table ? table[x] : ax.tap(x);
      uint64_t sum[3] = {0, 0, 0};
      for (int sy = ty.first; sy <= ty.last; ++sy) {
        const uint64_t wy = weight(ty, sy, y_interior);
        const uint8_t* p = src.rgb + static_cast<long>(sy) * src.stride + tx.first * 3;
        uint64_t row[3] = {0, 0, 0};
        for (int sx = tx.first; sx <= tx.last; ++sx, p += 3) {
          const uint64_t wx = weight(tx, sx, x_interior);
          row[0] += p[0] * wx;
          row[1] += p[1] * wx;
          row[2] += p[2] * wx;
        }
        sum[0] += row[0] * wy;
        sum[1] += row[1] * wy;
        sum[2] += row[2] * wy;
      }
      for (int c = 0; c < 3; ++c) out[c] = static_cast<uint8_t>((sum[c] + total / 2) / total);
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
