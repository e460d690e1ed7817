#pragma once
// Image scaling for the compositor and the capture path. No allocation: both images are
// given by the caller.
#include <cstdint>

#include "media/image.h"

namespace ttycall::media {

// Scales `src` to fill `dst` completely, cropping the source's centre to the destination's
// aspect ratio ("cover", like a video-call tile). Bilinear for upscaling, area average for
// downscaling.
void scale_cover(ImageView src, MutableImageView dst);

// Fills `dst` with one colour.
void fill(MutableImageView dst, uint8_t r, uint8_t g, uint8_t b);

}  // namespace ttycall::media
