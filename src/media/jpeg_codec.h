#pragma once
// JPEG (libturbojpeg): camera frames going up (4:2:0, quality 75, the defaults) and
// composed pictures coming down (4:4:4, which keeps the colour of sharp tile edges and
// label text). Encoder and decoder keep one handle each and write into caller buffers. (libjpeg
// itself mallocs a little work memory per image and offers no allocator hook; see docs/MEMORY.md.)
#include <cstddef>
#include <cstdint>
#include <span>

#include "media/image.h"

namespace ttycall::media {

// How much colour resolution the encoder keeps.
enum class ChromaSubsampling : uint8_t {
  k420,  // colour at half width and half height: the camera uplink
  k444,  // colour at every pixel: pictures of the composed grid
};

// libjpeg's DCT: kFast (TJFLAG_FASTDCT, the integer AAN transform) is what the camera path
// has always used; kAccurate (TJFLAG_ACCURATEDCT, the slow integer one) is a little more
// exact, which matters only at high quality (see BENCHMARKS.md, "Picture codecs").
enum class DctMethod : uint8_t { kFast, kAccurate };

struct JpegOptions {
  int quality = 75;  // 1..100
  ChromaSubsampling subsampling = ChromaSubsampling::k420;
  DctMethod dct = DctMethod::kFast;
};

class JpegEncoder {
 public:
  explicit JpegEncoder(JpegOptions options = {});
  explicit JpegEncoder(int quality) : JpegEncoder(JpegOptions{.quality = quality}) {}
  ~JpegEncoder();
  JpegEncoder(const JpegEncoder&) = delete;
  JpegEncoder& operator=(const JpegEncoder&) = delete;

  // Encodes `image` into `out`; returns the JPEG size, or 0 if it failed or `out` is
  // smaller than max_size(width, height, this encoder's subsampling).
  size_t encode(ImageView image, std::span<uint8_t> out);
  // Worst-case JPEG size for a width x height image (4:4:4 needs more than 4:2:0).
  static size_t max_size(int width, int height,
                         ChromaSubsampling subsampling = ChromaSubsampling::k420);

  const JpegOptions& options() const { return options_; }

 private:
  void* handle_;
  JpegOptions options_;
};

struct JpegInfo {
  int width = 0;
  int height = 0;
};

class JpegDecoder {
 public:
  explicit JpegDecoder(DctMethod dct = DctMethod::kFast);
  ~JpegDecoder();
  JpegDecoder(const JpegDecoder&) = delete;
  JpegDecoder& operator=(const JpegDecoder&) = delete;

  // Reads the dimensions; false if this is not a JPEG we can decode.
  bool read_info(std::span<const uint8_t> jpeg, JpegInfo& info);
  // Decodes into `out` (RGB24, width*3 stride); false on corrupt data or if it won't fit.
  bool decode(std::span<const uint8_t> jpeg, const JpegInfo& info, std::span<uint8_t> out);

 private:
  void* handle_;
  DctMethod dct_;
};

}  // namespace ttycall::media
