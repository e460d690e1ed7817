#include "media/pixel_convert.h"

#include <algorithm>
#include <utility>

namespace ttycall::media {
namespace {

uint8_t clamp_byte(int v) {
  return uint8_t(std::clamp(v, 0, 255));
}

}  // namespace

void ycbcr_to_rgb(int y, int cb, int cr, uint8_t rgb[3]) {
  // BT.601, limited range (Y 16..235, C 16..240), fixed point with 8 fractional bits.
  const int c = 298 * (y - 16);
  const int d = cb - 128;
  const int e = cr - 128;
  rgb[0] = clamp_byte((c + 409 * e + 128) >> 8);
  rgb[1] = clamp_byte((c - 100 * d - 208 * e + 128) >> 8);
  rgb[2] = clamp_byte((c + 516 * d + 128) >> 8);
}

void yuyv_to_rgb(const uint8_t* yuyv, int stride, MutableImageView out) {
  for (int y = 0; y < out.height; ++y) {
    const uint8_t* in = yuyv + long(y) * stride;
    uint8_t* px = out.rgb + long(y) * out.stride;
    int x = 0;
    for (; x + 1 < out.width; x += 2, in += 4, px += 6) {
      ycbcr_to_rgb(in[0], in[1], in[3], px);
      ycbcr_to_rgb(in[2], in[1], in[3], px + 3);
    }
    if (x < out.width) ycbcr_to_rgb(in[0], in[1], in[3], px);  // odd width: last half pair
  }
}

void flip_horizontal(MutableImageView image) {
  for (int y = 0; y < image.height; ++y) {
    uint8_t* row = image.rgb + long(y) * image.stride;
    for (int l = 0, r = image.width - 1; l < r; ++l, --r) {
      std::swap_ranges(row + l * 3, row + l * 3 + 3, row + r * 3);
    }
  }
}

bool mjpeg_to_rgb(JpegDecoder& decoder, std::span<const uint8_t> jpeg, MutableImageView out) {
  JpegInfo info;
  if (!decoder.read_info(jpeg, info)) return false;
  if (info.width != out.width || info.height != out.height || out.stride != out.width * 3) {
    return false;
  }
  return decoder.decode(jpeg, info, {out.rgb, size_t(out.stride) * out.height});
}

}  // namespace ttycall::media
