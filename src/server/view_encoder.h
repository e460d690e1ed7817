#pragma once
// One view's work for one frame: compose its picture (media::compose) and encode it as a
// whole JPEG, 4:4:4, its tables left out (media/jpeg_tables.h) (every frame on its own, so a viewer
// whose mailbox skipped frames shows the right picture at once; full chroma, so thin coloured edges
// and labels' tiles keep their colour). The compositor runs one per render thread; BM_ComposeView
// measures exactly this. Buffers grow, counted under the given site, only when a larger view than
// before appears.
#include <cstdint>
#include <span>
#include <vector>

#include "core/alloc_accounting.h"
#include "media/compose.h"
#include "media/jpeg_codec.h"
#include "media/jpeg_tables.h"

namespace ttycall::server {

// How the pictures are encoded, chosen by measurement (BENCHMARKS.md, "Picture codecs for
// the downstream"). Quality 65 is the lowest that keeps the moving test pattern, after the
// camera's own JPEG, within a mean error of 4/255 in every channel (3.0/2.2/3.6); 4:2:0 and
// 4:2:2 lose blue well past that, and the accurate DCT costs nothing measurable here.
constexpr int kPictureQuality = 65;

// A view's size in cells; its picture is cols x rows*2 pixels.
struct ViewSize {
  int cols = 0;
  int rows = 0;
  size_t cells() const { return size_t(cols) * size_t(rows); }
};

struct EncodedView {
  std::span<const uint8_t> picture;  // abbreviated JPEG; empty when there was nothing to show
  uint32_t tables_hash = 0;          // of the tables it leaves out
  std::span<const media::TileLabel> labels;
  std::span<const media::TileRect> tiles;
};

class ViewEncoder {
 public:
  explicit ViewEncoder(const core::AllocSite& site);

  // The result points into the encoder until its next use.
  EncodedView encode(const media::ComposeInput& input);
  // Frees the scratch when it holds more than twice what a view of `largest` needs, and
  // more than kSlackBytes: the next encode grows it again to the size it needs. Between
  // encodes only.
  void fit(ViewSize largest);
  size_t scratch_bytes() const;
  static constexpr size_t kSlackBytes = 256 << 10;

 private:
  const core::AllocSite& site_;
  media::ComposeScratch compose_;
  std::vector<uint8_t> jpeg_;
  media::JpegEncoder encoder_;
};

}  // namespace ttycall::server
