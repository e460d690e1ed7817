#pragma once
// JPEG (libjpeg-turbo through the libjpeg API): camera frames going up (4:2:0, quality 75,
// the defaults) and composed pictures coming down (4:4:4, which keeps the colour of sharp
// tile edges and label text). The bytes are those TurboJPEG's tjCompress2 writes for the same
// options (the viewer rebuilds the stripped tables and checks their hash; see jpeg_tables.h).
// Encoder and decoder each keep one libjpeg object for their life, write into caller
// buffers, and serve libjpeg's work memory from an arena of their own (media/jpeg_arena.h):
// after the first image of a size, encoding and decoding allocate nothing.
#include <cstddef>
#include <cstdint>
#include <memory>
#include <span>

#include "media/image.h"

namespace ttycall::media {

// How much colour resolution the encoder keeps.
enum class ChromaSubsampling : uint8_t {
  k420,  // colour at half width and half height: the camera uplink
  k444,  // colour at every pixel: pictures of the composed grid
};

// libjpeg's DCT: kFast (JDCT_IFAST, TurboJPEG's TJFLAG_FASTDCT, the integer AAN transform)
// is what the camera path has always used; kAccurate (JDCT_ISLOW, TJFLAG_ACCURATEDCT) is a
// little more exact, which matters only at high quality (see BENCHMARKS.md, "Picture
// codecs"). As TurboJPEG does, the encoder uses kAccurate at quality 96 and above.
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
  struct Impl;
  std::unique_ptr<Impl> impl_;  // null if libjpeg could not be set up
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

  // Reads the dimensions; false if this is not a JPEG we can decode (greyscale, or YCbCr
  // in one of TurboJPEG's subsamplings), or its header drew a warning.
  bool read_info(std::span<const uint8_t> jpeg, JpegInfo& info);
  // Decodes into `out` (RGB24, width*3 stride); false if read_info would be, on corrupt
  // data, if the JPEG is not info's size, if it won't fit, or if it has more than kMaxScans
  // scans. A caller that knows the size need not call read_info first (the header is read
  // once). A warning after the header (a truncated scan, say) still gives a usable picture
  // and counts as success.
  bool decode(std::span<const uint8_t> jpeg, const JpegInfo& info, std::span<uint8_t> out);

  // Without a limit a hostile 1 MiB frame of ~80 000 tiny progressive scans keeps a server
  // thread busy for seconds (TurboJPEG's TJFLAG_LIMITSCANS has the same limit).
  static constexpr int kMaxScans = 500;

  // libjpeg's message code for what stopped or warned the last call (0: none), or
  // kTooManyScans; for the fuzzer, which counts distinct outcomes.
  static constexpr int kTooManyScans = -1;
  int last_message() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;  // null if libjpeg could not be set up
  DctMethod dct_;
};

}  // namespace ttycall::media
