#pragma once
// Abbreviated JPEG for the pictures going down. A 160x96 picture is ~4 kB, of which ~590
// bytes are the same in every frame: the JFIF header and the quantisation and Huffman
// tables, which for libjpeg's baseline encoder depend only on the quality. The server
// strips them from each picture (strip_tables); the viewer makes the same tables once by
// encoding a tiny picture at that quality (JpegTables) and puts them back before decoding.
// A hash of the tables travels with each picture, so a viewer whose libjpeg would make other
// tables finds out instead of showing a wrong picture.
#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

#include "core/alloc_accounting.h"
#include "media/jpeg_codec.h"

namespace ttycall::media {

// How every picture going down is encoded, but for its quality (which travels with it):
// 4:4:4 and the accurate DCT, which the viewer decodes with too. The tables depend on the
// quality alone.
constexpr DctMethod kPictureDct = DctMethod::kAccurate;
constexpr JpegOptions picture_jpeg_options(int quality) {
  return {quality, ChromaSubsampling::k444, kPictureDct};
}

struct StrippedJpeg {
  size_t size = 0;  // 0: not a JPEG this can strip (no SOI, a segment past the end, no SOS)
  uint32_t tables_hash = 0;
};

// Copies `jpeg` without its APPn, COM, DQT and DHT segments to `out` (at least jpeg.size()
// bytes; `out` may be `jpeg` itself).
StrippedJpeg strip_tables(std::span<const uint8_t> jpeg, std::span<uint8_t> out);

// The tables an encoder with these options writes, made once.
class JpegTables {
 public:
  explicit JpegTables(JpegOptions options, const core::AllocSite& site);

  const JpegOptions& options() const { return options_; }
  uint32_t hash() const { return hash_; }           // FNV-1a of the table segments, in stream order
  bool empty() const { return segments_.empty(); }  // the encoder failed: nothing to restore
  // Bytes restore() writes beyond the stripped picture.
  size_t overhead() const { return segments_.size(); }
  // SOI, the tables, then `stripped` after its own SOI, into `out`; returns the size, or 0
  // if `stripped` does not start with SOI or `out` is too small.
  size_t restore(std::span<const uint8_t> stripped, std::span<uint8_t> out) const;

 private:
  JpegOptions options_;
  std::vector<uint8_t> segments_;  // DQT and DHT segments, markers included
  uint32_t hash_ = 0;
};

}  // namespace ttycall::media
