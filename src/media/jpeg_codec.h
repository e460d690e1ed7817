#pragma once
// JPEG for camera frames going up (libturbojpeg). Encoder and decoder keep one handle each
// and write into caller buffers. (libjpeg itself mallocs a little work memory per image
// and offers no allocator hook; see docs/MEMORY.md.)
#include <cstddef>
#include <cstdint>
#include <span>

#include "media/image.h"

namespace ttycall::media {

class JpegEncoder {
 public:
  explicit JpegEncoder(int quality = 75);
  ~JpegEncoder();
  JpegEncoder(const JpegEncoder&) = delete;
  JpegEncoder& operator=(const JpegEncoder&) = delete;

  // Encodes `image` into `out`; returns the JPEG size, or 0 if it failed or did not fit.
  size_t encode(ImageView image, std::span<uint8_t> out);
  // Worst-case JPEG size for a width x height image.
  static size_t max_size(int width, int height);

 private:
  void* handle_;
  int quality_;
};

struct JpegInfo {
  int width = 0;
  int height = 0;
};

class JpegDecoder {
 public:
  JpegDecoder();
  ~JpegDecoder();
  JpegDecoder(const JpegDecoder&) = delete;
  JpegDecoder& operator=(const JpegDecoder&) = delete;

  // Reads the dimensions; false if this is not a JPEG we can decode.
  bool read_info(std::span<const uint8_t> jpeg, JpegInfo& info);
  // Decodes into `out` (RGB24, width*3 stride); false on corrupt data or if it won't fit.
  bool decode(std::span<const uint8_t> jpeg, const JpegInfo& info, std::span<uint8_t> out);

 private:
  void* handle_;
};

}  // namespace ttycall::media
