// scale_cover's frame: the empty cases, the 1:1 copy, the centre crop, and the choice of
// resampler (scale_scalar.cpp, scale_avx2.cpp).
#include "media/scale.h"

#include <algorithm>
#include <cstring>

#include "media/scale_internal.h"

namespace ttycall::media {

CoverAxes cover_axes(ImageView src, MutableImageView dst) {
  // Crop the source's centre to the destination's aspect ratio (rounded, at least 1 px).
  CoverAxes axes{{0, src.width, dst.width}, {0, src.height, dst.height}};
  const long wide = static_cast<long>(src.width) * dst.height;
  const long tall = static_cast<long>(dst.width) * src.height;
  if (wide > tall) {
    const long w = (2L * src.height * dst.width + dst.height) / (2L * dst.height);
    axes.x.src_len = static_cast<int>(std::clamp(w, 1L, static_cast<long>(src.width)));
    axes.x.offset = (src.width - axes.x.src_len) / 2;
  } else if (wide < tall) {
    const long h = (2L * src.width * dst.height + dst.width) / (2L * dst.width);
    axes.y.src_len = static_cast<int>(std::clamp(h, 1L, static_cast<long>(src.height)));
    axes.y.offset = (src.height - axes.y.src_len) / 2;
  }
  return axes;
}

void scale_cover(ImageView src, MutableImageView dst) {
  if (dst.rgb == nullptr || dst.width <= 0 || dst.height <= 0) return;
  if (src.rgb == nullptr || src.width <= 0 || src.height <= 0) {
    fill(dst, 0, 0, 0);
    return;
  }

  // A camera sends the size of the largest tile it is shown in, so most tiles are a plain
  // copy (the resampling would give the same pixels, many times slower).
  if (src.width == dst.width && src.height == dst.height) {
    const size_t row_bytes = static_cast<size_t>(dst.width) * 3;
    for (int y = 0; y < dst.height; ++y) {
      std::memcpy(dst.rgb + static_cast<long>(y) * dst.stride,
                  src.rgb + static_cast<long>(y) * src.stride, row_bytes);
    }
    return;
  }

  // AVX2 where the CPU has it and it applies (all but extreme shrinks); the same pixels.
  const CoverAxes axes = cover_axes(src, dst);
  if (resample_avx2_available() && resample_avx2(src, dst, axes)) return;
  resample_scalar(src, dst, axes);
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
