#pragma once
// Exact division of 8 pixel sums at once by the total of their weights, for the AVX2
// resampler (scale_avx2.cpp, which includes this header only on x86): the quotients are
// the scalar version's floor(x / d), bit for bit.
#include <immintrin.h>

#include <cstdint>

// The functions that may use AVX2 and FMA: the files are built without -mavx2.
#define TTYCALL_AVX2 __attribute__((target("avx2,fma")))

namespace ttycall::media {

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

}  // namespace ttycall::media
