#pragma once
// What scale_cover's resamplers (scalar, AVX2) share: the centre crop and each axis's taps
// and weights; and the resamplers themselves, so that a test can hold them equal.
#include <algorithm>
#include <cstdint>
#include <span>

#include "media/image.h"

namespace ttycall::media {

// Bilinear positions carry 8 fractional bits.
inline constexpr uint32_t kOne = 256;

// A destination pixel's sum of weighted taps stays below 256 * total; with total up to
// 2^22 the sums fit 30 bits, so 32-bit sums and an exact multiply-shift division do.
inline constexpr uint64_t kMaxFastTotal = uint64_t(1) << 22;

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

// The weight of source pixel i (first <= i <= last) in tap t.
inline uint32_t weight(const Tap& t, int i, uint32_t interior) {
  if (i == t.first) return t.w_first;
  if (i == t.last) return t.w_last;
  return interior;
}

// Both axes of one scale_cover call: the source's centre cropped to the destination's
// aspect ratio. Both images are non-empty.
struct CoverAxes {
  Axis x;
  Axis y;
};
CoverAxes cover_axes(ImageView src, MutableImageView dst);

// The crop `axes` of `src` resampled into all of `dst` (both non-empty). The versions give
// the same pixels for every input.
void resample_scalar(ImageView src, MutableImageView dst, const CoverAxes& axes);
// The AVX2 version (scale_avx2.cpp); only call when resample_avx2_available(). Returns
// false, having written nothing, where it does not apply: weights totalling more than
// kMaxFastTotal, a destination pixel wider than ~500 source pixels or a destination
// taller than 32767 rows that shrinks. The scalar version does those.
bool resample_avx2(ImageView src, MutableImageView dst, const CoverAxes& axes);
bool resample_avx2_available();
// floor(x[i] / d) into q[i], for x[i] < 256 * d and d <= kMaxFastTotal, as the AVX2 version
// divides a pixel's sum by its weights' total (a test holds it exact); only call when
// resample_avx2_available().
void divide_avx2(uint32_t d, std::span<const uint32_t> x, std::span<uint32_t> q);

}  // namespace ttycall::media
