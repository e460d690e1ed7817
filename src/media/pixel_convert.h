#pragma once
// Camera pixel formats to the renderer's input (packed RGB24, media/image.h). Pure
// functions over caller buffers: no allocation, no hardware, so they are unit-tested with
// synthetic camera buffers.
#include <cstdint>
#include <span>

#include "media/image.h"
#include "media/jpeg_codec.h"

namespace ttycall::media {

// YUYV 4:2:2 (V4L2_PIX_FMT_YUYV: Y0 U Y1 V per two pixels), BT.601 limited range as
// webcams send it. `out` has the camera's size; `stride` is the camera's bytes per row.
void yuyv_to_rgb(const uint8_t* yuyv, int stride, MutableImageView out);

// One BT.601 limited-range YCbCr sample to RGB (what yuyv_to_rgb does per pixel).
void ycbcr_to_rgb(int y, int cb, int cr, uint8_t rgb[3]);

// Mirrors the image left to right in place (a camera shown like a mirror).
void flip_horizontal(MutableImageView image);

// An MJPEG camera frame (one JPEG, possibly without Huffman tables, as many webcams send)
// into `out`, which must have the frame's size and stride width * 3. Returns false for a
// corrupt frame or a size mismatch (a camera may send a damaged frame now and then).
bool mjpeg_to_rgb(JpegDecoder& decoder, std::span<const uint8_t> jpeg, MutableImageView out);

}  // namespace ttycall::media
