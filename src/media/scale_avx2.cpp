// scale_cover's resampler with AVX2. The file is built without -mavx2: only the functions
// marked TTYCALL_AVX2 (target "avx2,fma") use the instructions, and scale_cover calls them
// only after resample_avx2_available() has said yes, so the binary still runs on an older
// CPU.
//
// The same integer sums as resample_scalar (scale_scalar.cpp), added in another order, so
// the same pixels: that version sums each source row across once per destination row it
// feeds, then down; this one first sums a destination row's source rows down, a whole row
// of bytes at a time (two rows per multiply-add) into column sums, then sums each
// destination pixel's columns across, two pixels per register, and divides exactly
// (scale_divide_avx2.h). The arithmetic is modulo 2^32, and a pixel's final sum is below
// 2^30 (its weights total at most kMaxFastTotal), so the order cannot change it.
//
// The column sums are 32-bit, or 16-bit (less 32768) where they fit, that is where a
// destination row's source rows weigh at most 257 in all (enlarging, or shrinking from at
// most 257 rows: every tile a camera sends at about its size): then the sums across take
// two taps per multiply-add instead of one per multiply.
#include <algorithm>
#include <array>
#include <cstring>
#include <numeric>
#include <span>

#include "media/scale_internal.h"

#if defined(__x86_64__) || defined(__i386__)
#include "media/scale_divide_avx2.h"
#define TTYCALL_SCALE_X86 1
#else
#define TTYCALL_SCALE_X86 0
#endif

namespace ttycall::media {

#if TTYCALL_SCALE_X86
namespace {

// For the few helpers the compiler would otherwise call (the resampler is instantiated
// for each divider).
#define TTYCALL_INLINE inline __attribute__((always_inline))

// Per strip of destination columns, on the stack: the columns, their taps padded to the
// strip's widest (zero weights), and the column sums of the source columns they read.
constexpr int kMaxColumns = 512;   // a multiple of 4: pixels are stored 4 at a time
constexpr int kMaxWeights = 2048;  // column taps
constexpr int kMaxColumnSums = 3 * 1536 + 64;

// Room for the column sums of `span` source columns read by taps up to `taps` wide: the
// rows are summed 16 bytes at a time (up to 15 past the span), and the last column's
// padded taps read past it (up to 3 * (span + taps) sums, 16-bit ones included).
constexpr bool sums_fit(int span, int taps) {
  return 3 * (span + taps) + 16 <= kMaxColumnSums;
}

constexpr int round_up4(int n) {
  return (n + 3) & ~3;
}

// A source row pair's 16 bytes as 16-bit pairs (a, b) times (wa, wb): one multiply-add per
// 8 column sums. Into 32-bit sums (added to them with kAdd), or with kNarrow, the last
// pair, less 32768 as 16-bit ones over the first half of the same bytes (each step reads
// its 32-bit sums before it writes, and writes behind what later steps read).
template <bool kAdd, bool kNarrow>
TTYCALL_AVX2 inline void sum_rows_16(__m128i a, __m128i b, __m256i w, uint32_t* sums,
                                     int16_t* narrow) {
  __m256i lo = _mm256_madd_epi16(_mm256_cvtepu8_epi16(_mm_unpacklo_epi8(a, b)), w);
  __m256i hi = _mm256_madd_epi16(_mm256_cvtepu8_epi16(_mm_unpackhi_epi8(a, b)), w);
  auto* wide = reinterpret_cast<__m256i*>(sums);
  if constexpr (kAdd) {
    lo = _mm256_add_epi32(lo, _mm256_loadu_si256(wide));
    hi = _mm256_add_epi32(hi, _mm256_loadu_si256(wide + 1));
  }
  if constexpr (kNarrow) {
    const __m256i bias = _mm256_set1_epi32(32768);
    // The pack works within 128-bit lanes: put the 4 quarters back in order.
    const __m256i packed =
        _mm256_packs_epi32(_mm256_sub_epi32(lo, bias), _mm256_sub_epi32(hi, bias));
    _mm256_storeu_si256(reinterpret_cast<__m256i*>(narrow), _mm256_permute4x64_epi64(packed, 0xD8));
  } else {
    _mm256_storeu_si256(wide, lo);
    _mm256_storeu_si256(wide + 1, hi);
  }
}

// kTailShuffle[r] moves the last r of 16 bytes to the front and zeroes the others.
constexpr auto kTailShuffle = [] {
  std::array<std::array<int8_t, 16>, 16> masks{};
  for (int r = 0; r < 16; ++r) {
    for (int k = 0; k < 16; ++k) masks[r][k] = static_cast<int8_t>(k < r ? 16 - r + k : -1);
  }
  return masks;
}();

// Column sums i < bytes (+)= wa * a[i] + wb * b[i]: two source rows into the column sums,
// written up to 15 sums past `bytes` (room the caller keeps). Nothing is read past a row:
// the tail is the rows' last 16 bytes shifted down (a zeroed copy when a row is shorter).
template <bool kAdd, bool kNarrow>
TTYCALL_AVX2 TTYCALL_INLINE void sum_rows(const uint8_t* a, const uint8_t* b, uint32_t wa,
                                          uint32_t wb, int bytes, uint32_t* sums) {
  const __m256i w = _mm256_set1_epi32(static_cast<int>(wb << 16 | wa));
  auto* narrow = reinterpret_cast<int16_t*>(sums);
  int i = 0;
  for (; i + 16 <= bytes; i += 16) {
    sum_rows_16<kAdd, kNarrow>(_mm_loadu_si128(reinterpret_cast<const __m128i*>(a + i)),
                               _mm_loadu_si128(reinterpret_cast<const __m128i*>(b + i)), w,
                               sums + i, narrow + i);
  }
  if (i == bytes) return;
  if (bytes >= 16) {
    const __m128i shift =
        _mm_loadu_si128(reinterpret_cast<const __m128i*>(kTailShuffle[bytes - i].data()));
    const __m128i ta = _mm_loadu_si128(reinterpret_cast<const __m128i*>(a + bytes - 16));
    const __m128i tb = _mm_loadu_si128(reinterpret_cast<const __m128i*>(b + bytes - 16));
    sum_rows_16<kAdd, kNarrow>(_mm_shuffle_epi8(ta, shift), _mm_shuffle_epi8(tb, shift), w,
                               sums + i, narrow + i);
  } else {
    alignas(16) std::array<uint8_t, 16> ta{}, tb{};
    std::memcpy(ta.data(), a, bytes);
    std::memcpy(tb.data(), b, bytes);
    sum_rows_16<kAdd, kNarrow>(_mm_load_si128(reinterpret_cast<const __m128i*>(ta.data())),
                               _mm_load_si128(reinterpret_cast<const __m128i*>(tb.data())), w, sums,
                               narrow);
  }
}

// One destination row's source rows [ty.first, ty.last] summed down into the column sums
// of `bytes` bytes from column0: two rows at a time, an odd last one paired with itself at
// weight 0. With kNarrow the last pair leaves the sums 16-bit.
template <bool kNarrow>
TTYCALL_AVX2 TTYCALL_INLINE void sum_down(const uint8_t* column0, long stride, const Tap& ty,
                                          uint32_t interior, int bytes, uint32_t* sums) {
  for (int sy = ty.first; sy <= ty.last; sy += 2) {
    const int sy2 = sy < ty.last ? sy + 1 : sy;
    const uint8_t* a = column0 + sy * stride;
    const uint8_t* b = column0 + sy2 * stride;
    const uint32_t wa = weight(ty, sy, interior);
    const uint32_t wb = sy2 != sy ? weight(ty, sy2, interior) : 0;
    const bool first = sy == ty.first;
    const bool last = sy + 2 > ty.last;
    if (first && last) {
      sum_rows<false, kNarrow>(a, b, wa, wb, bytes, sums);
    } else if (first) {
      sum_rows<false, false>(a, b, wa, wb, bytes, sums);
    } else if (last) {
      sum_rows<true, kNarrow>(a, b, wa, wb, bytes, sums);
    } else {
      sum_rows<true, false>(a, b, wa, wb, bytes, sums);
    }
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

// The weights of a strip as the multiplies take them, 8 * taps per pair of columns x, x+1
// (x even). For 32-bit sums, tap by tap: 4 times x's weight (its pixel's r, g, b and the
// unused lane), 4 times x+1's. For 16-bit sums, taps two by two (taps is even): x's pair of
// weights 3 times and a zero pair, then x+1's.
using Weights = std::array<uint16_t, 4 * kMaxWeights>;

// Column x's weights into the strip's tables; w(j) is its weight of tap j.
template <class Weight>
TTYCALL_INLINE void put_weights(Weights& weights, bool narrow, int taps, int x, Weight w) {
  uint16_t* pair = weights.data() + 8 * (x / 2) * taps;
  if (narrow) {
    for (int j = 0; j < taps; j += 2) {
      uint16_t* block = pair + 8 * j + 8 * (x % 2);
      const uint16_t w0 = w(j), w1 = w(j + 1);
      const std::array<uint16_t, 8> pairs{w0, w1, w0, w1, w0, w1, 0, 0};
      std::copy(pairs.begin(), pairs.end(), block);
    }
  } else {
    for (int j = 0; j < taps; ++j) std::fill_n(pair + 8 * j + 4 * (x % 2), 4, w(j));
  }
}

// The strip of as many columns from x0 as the tables hold (at least 4: resample_avx2
// checks that the widest tap fits), and its tables for columns [0, round_up4(n)), those
// past n weighing nothing: offsets[x] is where column x's first tap is in the column sums
// (16-bit or 32-bit alike).
TTYCALL_INLINE Strip fill_strip(const Axis& ax, int taps, bool narrow, int x0, int width,
                                std::array<int32_t, kMaxColumns>& offsets, Weights& weights) {
  Strip s{x0, 0, ax.tap(x0).first, 0, taps};
  const uint32_t interior = ax.interior();
  const int max_n = std::min({width - x0, kMaxColumns, (kMaxWeights / taps) & ~3});
  for (; s.n < max_n; ++s.n) {
    const Tap t = ax.tap(x0 + s.n);
    if (!sums_fit(t.last - s.span_first + 1, taps)) break;
    s.span = t.last - s.span_first + 1;
    offsets[s.n] = 3 * (t.first - s.span_first);
    put_weights(weights, narrow, taps, s.n, [&](int j) {
      const int sx = t.first + j;
      return static_cast<uint16_t>(sx <= t.last ? weight(t, sx, interior) : 0);
    });
  }
  for (int x = s.n; x < round_up4(s.n); ++x) {
    offsets[x] = 0;
    put_weights(weights, narrow, taps, x, [](int) { return uint16_t(0); });
  }
  return s;
}

// Two destination pixels' sums across (columns x, x+1), from 32-bit column sums: lanes 0-2
// are the first pixel's r, g, b, lanes 4-6 the second's (lanes 3 and 7 carry a neighbour's
// sums, unused). kTaps > 0 is the strip's taps known at compile time (the loop unrolled).
template <int kTaps>
struct WideAcross {
  const uint32_t* sums;
  const int32_t* offsets;
  const uint16_t* weights;
  int taps;
  __m256i init;

  template <int k>
  TTYCALL_AVX2 WideAcross<k> fixed() const {
    return {sums, offsets, weights, taps, init};
  }
  TTYCALL_AVX2 __m256i operator()(int x) const {
    const int n = kTaps > 0 ? kTaps : taps;
    const uint32_t* a = sums + offsets[x];
    const uint32_t* b = sums + offsets[x + 1];
    const uint16_t* w = weights + 4 * x * n;
    __m256i acc = init;
    for (int j = 0; j < n; ++j) {
      const __m256i v = _mm256_inserti128_si256(
          _mm256_castsi128_si256(_mm_loadu_si128(reinterpret_cast<const __m128i*>(a + 3 * j))),
          _mm_loadu_si128(reinterpret_cast<const __m128i*>(b + 3 * j)), 1);
      const __m256i wj =
          _mm256_cvtepu16_epi32(_mm_loadu_si128(reinterpret_cast<const __m128i*>(w + 8 * j)));
      acc = _mm256_add_epi32(acc, _mm256_mullo_epi32(v, wj));
    }
    return acc;
  }
};

// The same from 16-bit column sums, two taps per multiply-add: the 8 sums from tap j on
// (r, g, b of taps j and j+1, then r, g of j+2) shuffled into the pairs (r_j, r_j+1),
// (g_j, g_j+1), (b_j, b_j+1) and a last pair that the weights zero. `init` includes 32768
// times the weights' total, for the 32768 taken off each sum.
template <int kTaps>
struct NarrowAcross {
  const int16_t* sums;
  const int32_t* offsets;
  const uint16_t* weights;
  int taps;
  __m256i init;

  template <int k>
  TTYCALL_AVX2 NarrowAcross<k> fixed() const {
    return {sums, offsets, weights, taps, init};
  }
  TTYCALL_AVX2 __m256i operator()(int x) const {
    const int n = kTaps > 0 ? kTaps : taps;
    const __m256i pairs = _mm256_broadcastsi128_si256(
        _mm_setr_epi8(0, 1, 6, 7, 2, 3, 8, 9, 4, 5, 10, 11, 12, 13, 14, 15));
    const int16_t* a = sums + offsets[x];
    const int16_t* b = sums + offsets[x + 1];
    const uint16_t* w = weights + 4 * x * n;
    __m256i acc = init;
    for (int j = 0; j < n; j += 2) {
      const __m256i v = _mm256_inserti128_si256(
          _mm256_castsi128_si256(_mm_loadu_si128(reinterpret_cast<const __m128i*>(a + 3 * j))),
          _mm_loadu_si128(reinterpret_cast<const __m128i*>(b + 3 * j)), 1);
      const __m256i wj = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(w + 8 * j));
      acc = _mm256_add_epi32(acc, _mm256_madd_epi16(_mm256_shuffle_epi8(v, pairs), wj));
    }
    return acc;
  }
};

// One destination row of a strip of n columns: 4 pixels (12 bytes) at a time.
template <class Across, class Divide>
TTYCALL_AVX2 void sum_columns(const Across& across, int n, const Divide& divide, uint8_t* out) {
  // The packs below work within 128-bit lanes and leave the 4 pixels' bytes in the order
  // 0, 2, 1, 3 (4 bytes each): take r, g, b of each, in order, without the unused lane.
  const __m128i squeeze = _mm_setr_epi8(0, 1, 2, 8, 9, 10, 4, 5, 6, 12, 13, 14, -1, -1, -1, -1);
  for (int x = 0; x < n; x += 4) {
    // The quotients are 0..255 (the unused lanes saturate harmlessly).
    const __m256i words = _mm256_packus_epi32(divide(across(x)), divide(across(x + 2)));
    const __m128i bytes = _mm_shuffle_epi8(
        _mm_packus_epi16(_mm256_castsi256_si128(words), _mm256_extracti128_si256(words, 1)),
        squeeze);
    uint8_t* o = out + 3 * x;
    if (n - x >= 6) {
      // 16 bytes: the 4 past these 4 pixels are the next pixels', rewritten next step.
      _mm_storeu_si128(reinterpret_cast<__m128i*>(o), bytes);
    } else {
      alignas(16) std::array<uint8_t, 16> last;
      _mm_store_si128(reinterpret_cast<__m128i*>(last.data()), bytes);
      std::memcpy(o, last.data(), 3 * static_cast<size_t>(std::min(4, n - x)));
    }
  }
}

// A row's sums across, the common widths unrolled: 2 (enlarging), 3-6 (shrinking up to
// 4-5x; 16-bit sums have even widths).
template <class Divide>
TTYCALL_AVX2 void sum_columns_unrolled(const WideAcross<0>& across, int n, const Divide& divide,
                                       uint8_t* out) {
  switch (across.taps) {
    case 2:
      return sum_columns(across.fixed<2>(), n, divide, out);
    case 3:
      return sum_columns(across.fixed<3>(), n, divide, out);
    case 4:
      return sum_columns(across.fixed<4>(), n, divide, out);
    case 5:
      return sum_columns(across.fixed<5>(), n, divide, out);
    default:
      return sum_columns(across, n, divide, out);
  }
}

template <class Divide>
TTYCALL_AVX2 void sum_columns_unrolled(const NarrowAcross<0>& across, int n, const Divide& divide,
                                       uint8_t* out) {
  switch (across.taps) {
    case 2:
      return sum_columns(across.fixed<2>(), n, divide, out);
    case 4:
      return sum_columns(across.fixed<4>(), n, divide, out);
    case 6:
      return sum_columns(across.fixed<6>(), n, divide, out);
    default:
      return sum_columns(across, n, divide, out);
  }
}

// What a strip's rows share.
struct StripTables {
  const Strip& strip;
  const int32_t* offsets;
  const uint16_t* weights;
  bool narrow;
  uint32_t init;  // the rounding, and with 16-bit sums 32768 times the column weights' total
};

template <class Divide>
TTYCALL_AVX2 void resample_strip(ImageView src, MutableImageView dst, const Axis& ay,
                                 const StripTables& t, const Divide& divide, uint32_t* sums) {
  const Strip& s = t.strip;
  const uint32_t interior = ay.interior();
  const uint8_t* column0 = src.rgb + 3 * static_cast<long>(s.span_first);
  const __m256i init = _mm256_set1_epi32(static_cast<int>(t.init));
  const WideAcross<0> wide{sums, t.offsets, t.weights, s.taps, init};
  const NarrowAcross<0> narrow{reinterpret_cast<const int16_t*>(sums), t.offsets, t.weights, s.taps,
                               init};
  for (int y = 0; y < dst.height; ++y) {
    const Tap ty = ay.tap(y);
    uint8_t* out = dst.rgb + static_cast<long>(y) * dst.stride + 3 * static_cast<long>(s.x0);
    if (t.narrow) {
      sum_down<true>(column0, src.stride, ty, interior, 3 * s.span, sums);
      sum_columns_unrolled(narrow, s.n, divide, out);
    } else {
      sum_down<false>(column0, src.stride, ty, interior, 3 * s.span, sums);
      sum_columns_unrolled(wide, s.n, divide, out);
    }
  }
}

// All of dst, strip by strip; the weights of a pixel total `total` (<= kMaxFastTotal), a
// column's taps are at most `taps` wide (even with 16-bit sums).
template <class Divide>
TTYCALL_AVX2 void resample(ImageView src, MutableImageView dst, const CoverAxes& axes,
                           uint32_t total, int taps, bool narrow) {
  const Divide divide(total);
  // 32768 for each weight of the 16-bit sums' taps; modulo 2^32, like all the sums.
  const uint32_t init = total / 2 + (narrow ? 32768u * axes.x.total() : 0u);
  // Left uninitialised but for what fill_strip says is read.
  std::array<int32_t, kMaxColumns> offsets;
  Weights weights;
  alignas(32) std::array<uint32_t, kMaxColumnSums> sums;
  for (int x0 = 0; x0 < dst.width;) {
    const Strip s = fill_strip(axes.x, taps, narrow, x0, dst.width, offsets, weights);
    // The padded taps of the last columns read sums past the span: zeros (the rows write
    // only zeros there, up to 15 past it).
    std::fill(sums.begin() + 3 * s.span, sums.begin() + 3 * (s.span + s.taps) + 16, 0u);
    resample_strip(src, dst, axes.y, StripTables{s, offsets.data(), weights.data(), narrow, init},
                   divide, sums.data());
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
  // column weights unsigned 16 bits (signed with 16-bit sums).
  if (axes.y.shrink() && axes.y.dst_len > 32767) return false;
  if (axes.x.shrink() && axes.x.dst_len > 65535) return false;
  // 16-bit column sums: below 255 * 257 < 65536 before 32768 is taken off.
  const bool narrow = axes.y.total() <= 257 && (!axes.x.shrink() || axes.x.dst_len <= 32767);
  const int widest = widest_tap(axes.x);
  const int taps = narrow ? (widest + 1) & ~1 : widest;
  // A strip of 4 columns at their widest must fit the tables.
  if (4 * taps > kMaxWeights || !sums_fit(taps, taps)) return false;
  const auto d = static_cast<uint32_t>(total);
  if (FloatDivider::exact_for(d)) {  // most tiles' totals; the integer divider beyond
    resample<FloatDivider>(src, dst, axes, d, taps, narrow);
  } else {
    resample<ExactDivider>(src, dst, axes, d, taps, narrow);
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
