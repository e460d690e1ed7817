// scale_cover's resampler with AVX2. The file is built without -mavx2: only the functions
// marked target("avx2,fma") use the instructions, and scale_cover calls them only after
// resample_avx2_available() has said yes, so the binary still runs on an older CPU.
//
// The same integer sums as resample_scalar (scale_scalar.cpp), added in another order, so
// the same pixels: that version sums each source row across once per destination row it
// feeds, then down; this one first sums a destination row's source rows down, a whole row
// of bytes at a time (two rows per multiply-add) into 32-bit column sums, then sums each
// destination pixel's columns across, two pixels per register, and divides exactly by a
// multiply and a shift. No partial sum exceeds the pixel's final sum (< 2^30 when the
// weights total at most kMaxFastTotal), so nothing overflows in any order.
#include <algorithm>
#include <array>
#include <cstring>
#include <numeric>
#include <span>

#include "media/scale_internal.h"

#if defined(__x86_64__) || defined(__i386__)
#include <immintrin.h>
#define TTYCALL_SCALE_X86 1
#else
#define TTYCALL_SCALE_X86 0
#endif

namespace ttycall::media {

#if TTYCALL_SCALE_X86
namespace {

#define TTYCALL_AVX2 __attribute__((target("avx2,fma")))
// For the few helpers the compiler would otherwise call (the resampler is instantiated twice).
#define TTYCALL_INLINE inline __attribute__((always_inline))

// Per strip of destination columns, on the stack: the columns, their taps padded to the
// strip's widest (zero weights), and the column sums of the source columns they read.
constexpr int kMaxColumns = 512;   // a multiple of 4: pixels are stored 4 at a time
constexpr int kMaxWeights = 2048;  // column taps
constexpr int kMaxColumnSums = 3 * 2048 + 64;

// Room for the column sums of `span` source columns read by taps up to `taps` wide: the
// rows are summed 16 bytes at a time (up to 15 past the span), and the last column's
// padded taps read 4 sums from up to taps - 1 columns past it.
constexpr bool sums_fit(int span, int taps) {
  return 3 * (span + taps) + 16 <= kMaxColumnSums;
}

constexpr int round_up4(int n) {
  return (n + 3) & ~3;
}

// x / d rounded down for x < 2^30, 8 lanes at a time: m = ceil(2^(30+l) / d) with
// 2^(l-1) < d <= 2^l fits 32 bits, x * m fits 64, and the error x * (m*d - 2^(30+l)) /
// 2^(30+l) < x / 2^(30+l) < 1/d never carries floor(x/d) over (Granlund and Montgomery).
class ExactDivider {
 public:
  TTYCALL_AVX2 explicit ExactDivider(uint32_t d) {
    int l = 0;
    while ((uint64_t(1) << l) < d) ++l;
    multiplier_ =
        _mm256_set1_epi64x(static_cast<long long>(((uint64_t(1) << (30 + l)) + d - 1) / d));
    shift_ = _mm_cvtsi32_si128(30 + l);
  }
  TTYCALL_AVX2 __m256i operator()(__m256i x) const {
    const __m256i even = _mm256_srl_epi64(_mm256_mul_epu32(x, multiplier_), shift_);
    const __m256i odd =
        _mm256_srl_epi64(_mm256_mul_epu32(_mm256_srli_epi64(x, 32), multiplier_), shift_);
    return _mm256_blend_epi32(even, _mm256_slli_epi64(odd, 32), 0xAA);
  }

 private:
  __m256i multiplier_;
  __m128i shift_;
};

// The same quotient through floats where d allows it: 3 instructions for 8 lanes instead
// of 7. For x < 256 * d < 2^24 the conversion is exact; r = fl(1/d) is within 2^-24 of 1/d
// (relative), so x * r is within 2^-16 of x / d < 256; the fused multiply-add rounds once,
// by at most 2^-17. With e = 2^-15 added, y = fl(x * r + e) lies in [q + 2^-17, q + 1 - 1/d
// + 7 * 2^-17] for q = floor(x / d), so it truncates to q when d <= 18724. For d a power of
// two up to 2^16, x * r is exact and e = 0.
class FloatDivider {
 public:
  static bool exact_for(uint32_t d) { return d <= 18724 || (d <= 65536 && (d & (d - 1)) == 0); }
  TTYCALL_AVX2 explicit FloatDivider(uint32_t d)
      : reciprocal_(_mm256_set1_ps(1.0f / static_cast<float>(d))),
        nudge_(_mm256_set1_ps((d & (d - 1)) == 0 ? 0.0f : 0x1p-15f)) {}
  TTYCALL_AVX2 __m256i operator()(__m256i x) const {
    return _mm256_cvttps_epi32(_mm256_fmadd_ps(_mm256_cvtepi32_ps(x), reciprocal_, nudge_));
  }

 private:
  __m256 reciprocal_;
  __m256 nudge_;
};

// sums[i..i+16) (+)= wa * a[i] + wb * b[i]: two source rows' 16 bytes as 16-bit pairs
// (a, b), one multiply-add per 8 sums. Weights are at most 32767 (signed 16 bits).
template <bool kAdd>
TTYCALL_AVX2 inline void sum_rows_16(__m128i a, __m128i b, __m256i w, uint32_t* sums) {
  __m256i lo = _mm256_madd_epi16(_mm256_cvtepu8_epi16(_mm_unpacklo_epi8(a, b)), w);
  __m256i hi = _mm256_madd_epi16(_mm256_cvtepu8_epi16(_mm_unpackhi_epi8(a, b)), w);
  auto* out = reinterpret_cast<__m256i*>(sums);
  if constexpr (kAdd) {
    lo = _mm256_add_epi32(lo, _mm256_loadu_si256(out));
    hi = _mm256_add_epi32(hi, _mm256_loadu_si256(out + 1));
  }
  _mm256_storeu_si256(out, lo);
  _mm256_storeu_si256(out + 1, hi);
}

// kTailShuffle[r] moves the last r of 16 bytes to the front and zeroes the others.
constexpr auto kTailShuffle = [] {
  std::array<std::array<int8_t, 16>, 16> masks{};
  for (int r = 0; r < 16; ++r) {
    for (int k = 0; k < 16; ++k) masks[r][k] = static_cast<int8_t>(k < r ? 16 - r + k : -1);
  }
  return masks;
}();

// sums[i] (+)= wa * a[i] + wb * b[i] for i < bytes: two source rows into the column sums,
// written up to 15 sums past `bytes` (room the caller keeps). Nothing is read past a row:
// the tail is the rows' last 16 bytes shifted down (a zeroed copy when a row is shorter).
template <bool kAdd>
TTYCALL_AVX2 TTYCALL_INLINE void sum_rows(const uint8_t* a, const uint8_t* b, uint32_t wa,
                                          uint32_t wb, int bytes, uint32_t* sums) {
  const __m256i w = _mm256_set1_epi32(static_cast<int>(wb << 16 | wa));
  int i = 0;
  for (; i + 16 <= bytes; i += 16) {
    sum_rows_16<kAdd>(_mm_loadu_si128(reinterpret_cast<const __m128i*>(a + i)),
                      _mm_loadu_si128(reinterpret_cast<const __m128i*>(b + i)), w, sums + i);
  }
  if (i == bytes) return;
  if (bytes >= 16) {
    const __m128i shift =
        _mm_loadu_si128(reinterpret_cast<const __m128i*>(kTailShuffle[bytes - i].data()));
    const __m128i ta = _mm_loadu_si128(reinterpret_cast<const __m128i*>(a + bytes - 16));
    const __m128i tb = _mm_loadu_si128(reinterpret_cast<const __m128i*>(b + bytes - 16));
    sum_rows_16<kAdd>(_mm_shuffle_epi8(ta, shift), _mm_shuffle_epi8(tb, shift), w, sums + i);
  } else {
    alignas(16) std::array<uint8_t, 16> ta{}, tb{};
    std::memcpy(ta.data(), a, bytes);
    std::memcpy(tb.data(), b, bytes);
    sum_rows_16<kAdd>(_mm_load_si128(reinterpret_cast<const __m128i*>(ta.data())),
                      _mm_load_si128(reinterpret_cast<const __m128i*>(tb.data())), w, sums);
  }
}

// The most source columns one destination column reads: [floor(d*s / D),
// floor((d*s + s - 1) / D)], where d*s mod D is a multiple of g = gcd(s, D).
int widest_tap(const Axis& ax) {
  if (!ax.shrink()) return 2;
  const int g = std::gcd(ax.src_len, ax.dst_len);
  return (ax.src_len - 1 + ax.dst_len - g) / ax.dst_len + 1;
}

// One strip of destination columns: where each reads the column sums, and its weights.
struct Strip {
  int x0 = 0;          // first destination column
  int n = 0;           // columns
  int span_first = 0;  // first source column read
  int span = 0;        // source columns read
  int taps = 1;        // every column's taps, padded to the widest with zero weights
};

// The weights of a strip as the multiplies take them: by pairs of columns x, x+1 (x even),
// tap by tap, each weight 4 times (one per lane of its pixel's r, g, b and unused lane).
using Weights = std::array<uint16_t, 4 * kMaxWeights>;

// The strip of as many columns from x0 as the tables hold (at least 4: resample_avx2
// checks that the widest tap fits), and its tables for columns [0, round_up4(n)), those
// past n weighing nothing: offsets[x] is where column x's first tap is in the column sums;
// its weight of tap j is at weights[8 * (x / 2 * taps + j) + 4 * (x % 2)], 4 times.
TTYCALL_INLINE Strip fill_strip(const Axis& ax, int taps, int x0, int width,
                                std::array<int32_t, kMaxColumns>& offsets, Weights& weights) {
  Strip s{x0, 0, ax.tap(x0).first, 0, taps};
  const uint32_t interior = ax.interior();
  const int max_n = std::min({width - x0, kMaxColumns, (kMaxWeights / taps) & ~3});
  for (; s.n < max_n; ++s.n) {
    const Tap t = ax.tap(x0 + s.n);
    if (!sums_fit(t.last - s.span_first + 1, taps)) break;
    s.span = t.last - s.span_first + 1;
    offsets[s.n] = 3 * (t.first - s.span_first);
    for (int j = 0; j < taps; ++j) {
      const int sx = t.first + j;
      const auto w = static_cast<uint16_t>(sx <= t.last ? weight(t, sx, interior) : 0);
      std::fill_n(weights.begin() + 8 * ((s.n / 2) * taps + j) + 4 * (s.n % 2), 4, w);
    }
  }
  for (int x = s.n; x < round_up4(s.n); ++x) {
    offsets[x] = 0;
    for (int j = 0; j < taps; ++j) {
      std::fill_n(weights.begin() + 8 * ((x / 2) * taps + j) + 4 * (x % 2), 4, uint16_t(0));
    }
  }
  return s;
}

// Two destination pixels' sums across, from the column sums: lanes 0-2 are the first
// pixel's r, g, b, lanes 4-6 the second's (lanes 3 and 7 carry a neighbour's sums, unused).
// kTaps > 0 is the strip's taps known at compile time (the loop unrolled), 0 reads `taps`.
template <int kTaps>
TTYCALL_AVX2 inline __m256i sum_across(const uint32_t* sums, const int32_t* offsets,
                                       const uint16_t* weights, int taps, __m256i init) {
  if constexpr (kTaps > 0) taps = kTaps;
  const uint32_t* a = sums + offsets[0];
  const uint32_t* b = sums + offsets[1];
  __m256i acc = init;
  for (int j = 0; j < taps; ++j) {
    const __m256i v = _mm256_inserti128_si256(
        _mm256_castsi128_si256(_mm_loadu_si128(reinterpret_cast<const __m128i*>(a + 3 * j))),
        _mm_loadu_si128(reinterpret_cast<const __m128i*>(b + 3 * j)), 1);
    const __m256i w =
        _mm256_cvtepu16_epi32(_mm_loadu_si128(reinterpret_cast<const __m128i*>(weights + 8 * j)));
    acc = _mm256_add_epi32(acc, _mm256_mullo_epi32(v, w));
  }
  return acc;
}

// One destination row of a strip, from its column sums: 4 pixels (12 bytes) at a time.
template <int kTaps, class Divide>
TTYCALL_AVX2 void sum_columns(const uint32_t* sums, const Strip& s, const int32_t* offsets,
                              const uint16_t* weights, uint32_t half, const Divide& divide,
                              uint8_t* out) {
  const __m256i init = _mm256_set1_epi32(static_cast<int>(half));  // rounds to nearest
  // The packs below work within 128-bit lanes and leave the 4 pixels' bytes in the order
  // 0, 2, 1, 3 (4 bytes each): take r, g, b of each, in order, without the unused lane.
  const __m128i squeeze = _mm_setr_epi8(0, 1, 2, 8, 9, 10, 4, 5, 6, 12, 13, 14, -1, -1, -1, -1);
  for (int x = 0; x < s.n; x += 4) {
    const __m256i q01 =
        divide(sum_across<kTaps>(sums, offsets + x, weights + 4 * x * s.taps, s.taps, init));
    const __m256i q23 = divide(
        sum_across<kTaps>(sums, offsets + x + 2, weights + 4 * (x + 2) * s.taps, s.taps, init));
    // The quotients are 0..255 (the unused lanes saturate harmlessly).
    const __m256i words = _mm256_packus_epi32(q01, q23);
    const __m128i bytes = _mm_shuffle_epi8(
        _mm_packus_epi16(_mm256_castsi256_si128(words), _mm256_extracti128_si256(words, 1)),
        squeeze);
    uint8_t* o = out + 3 * x;
    if (s.n - x >= 6) {
      // 16 bytes: the 4 past these 4 pixels are the next pixels', rewritten next step.
      _mm_storeu_si128(reinterpret_cast<__m128i*>(o), bytes);
    } else {
      alignas(16) std::array<uint8_t, 16> last;
      _mm_store_si128(reinterpret_cast<__m128i*>(last.data()), bytes);
      std::memcpy(o, last.data(), 3 * static_cast<size_t>(std::min(4, s.n - x)));
    }
  }
}

template <class Divide>
TTYCALL_AVX2 void resample_strip(ImageView src, MutableImageView dst, const Axis& ay,
                                 const Strip& s, const int32_t* offsets, const uint16_t* weights,
                                 uint32_t half, const Divide& divide, uint32_t* sums) {
  const uint32_t y_interior = ay.interior();
  const int bytes = 3 * s.span;
  for (int y = 0; y < dst.height; ++y) {
    const Tap ty = ay.tap(y);
    const uint8_t* column0 = src.rgb + 3 * static_cast<long>(s.span_first);
    // The rows two at a time; an odd last one is paired with itself at weight 0.
    for (int sy = ty.first; sy <= ty.last; sy += 2) {
      const int sy2 = sy < ty.last ? sy + 1 : sy;
      const uint8_t* a = column0 + static_cast<long>(sy) * src.stride;
      const uint8_t* b = column0 + static_cast<long>(sy2) * src.stride;
      const uint32_t wa = weight(ty, sy, y_interior);
      const uint32_t wb = sy2 != sy ? weight(ty, sy2, y_interior) : 0;
      if (sy == ty.first) {
        sum_rows<false>(a, b, wa, wb, bytes, sums);
      } else {
        sum_rows<true>(a, b, wa, wb, bytes, sums);
      }
    }
    uint8_t* out = dst.rgb + static_cast<long>(y) * dst.stride + 3 * static_cast<long>(s.x0);
    // The common widths unrolled: 2 (enlarging), 3-5 (shrinking up to 4x).
    switch (s.taps) {
      case 2:
        sum_columns<2>(sums, s, offsets, weights, half, divide, out);
        break;
      case 3:
        sum_columns<3>(sums, s, offsets, weights, half, divide, out);
        break;
      case 4:
        sum_columns<4>(sums, s, offsets, weights, half, divide, out);
        break;
      case 5:
        sum_columns<5>(sums, s, offsets, weights, half, divide, out);
        break;
      default:
        sum_columns<0>(sums, s, offsets, weights, half, divide, out);
        break;
    }
  }
}

// All of dst, strip by strip; the weights of a pixel total `total` (<= kMaxFastTotal), a
// column's taps are at most `taps` wide.
template <class Divide>
TTYCALL_AVX2 void resample(ImageView src, MutableImageView dst, const CoverAxes& axes,
                           uint32_t total, int taps) {
  const Divide divide(total);
  // Left uninitialised but for what fill_strip says is read.
  std::array<int32_t, kMaxColumns> offsets;
  Weights weights;
  std::array<uint32_t, kMaxColumnSums> sums;
  for (int x0 = 0; x0 < dst.width;) {
    const Strip s = fill_strip(axes.x, taps, x0, dst.width, offsets, weights);
    // The padded taps of the last columns read sums past the span: zeros (the rows write
    // only zeros there, up to 15 past it).
    std::fill(sums.begin() + 3 * s.span, sums.begin() + 3 * (s.span + s.taps) + 16, 0u);
    resample_strip(src, dst, axes.y, s, offsets.data(), weights.data(), total / 2, divide,
                   sums.data());
    x0 += s.n;
  }
}

}  // namespace

bool resample_avx2_available() {
  static const bool available = [] {
    __builtin_cpu_init();
    return __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma");
  }();
  return available;
}

bool resample_avx2(ImageView src, MutableImageView dst, const CoverAxes& axes) {
  const uint64_t total = uint64_t(axes.x.total()) * axes.y.total();
  if (total > kMaxFastTotal) return false;
  // Weights are at most dst_len (shrinking) or kOne: row weights must fit signed 16 bits,
  // column weights unsigned 16 bits.
  if (axes.y.shrink() && axes.y.dst_len > 32767) return false;
  if (axes.x.shrink() && axes.x.dst_len > 65535) return false;
  // A strip of 4 columns at their widest must fit the tables.
  const int taps = widest_tap(axes.x);
  if (4 * taps > kMaxWeights || !sums_fit(taps, taps)) return false;
  const auto d = static_cast<uint32_t>(total);
  if (FloatDivider::exact_for(d)) {  // most tiles' totals; the integer divider beyond
    resample<FloatDivider>(src, dst, axes, d, taps);
  } else {
    resample<ExactDivider>(src, dst, axes, d, taps);
  }
  return true;
}

namespace {

template <class Divide>
TTYCALL_AVX2 void divide_all(uint32_t d, std::span<const uint32_t> x, std::span<uint32_t> q) {
  const Divide divide(d);
  for (size_t i = 0; i < x.size(); i += 8) {
    alignas(32) std::array<uint32_t, 8> lanes{};
    const size_t n = std::min<size_t>(8, x.size() - i);
    std::copy_n(x.begin() + i, n, lanes.begin());
    auto* v = reinterpret_cast<__m256i*>(lanes.data());
    _mm256_store_si256(v, divide(_mm256_load_si256(v)));
    std::copy_n(lanes.begin(), n, q.begin() + i);
  }
}

}  // namespace

void divide_avx2(uint32_t d, std::span<const uint32_t> x, std::span<uint32_t> q) {
  if (FloatDivider::exact_for(d)) {
    divide_all<FloatDivider>(d, x, q);
  } else {
    divide_all<ExactDivider>(d, x, q);
  }
}

#else  // not x86

bool resample_avx2_available() {
  return false;
}

// Never chosen by scale_cover; does nothing, as it does where it does not apply.
bool resample_avx2(ImageView, MutableImageView, const CoverAxes&) {
  return false;
}

void divide_avx2(uint32_t d, std::span<const uint32_t> x, std::span<uint32_t> q) {
  for (size_t i = 0; i < x.size(); ++i) q[i] = x[i] / d;
}

#endif

}  // namespace ttycall::media
