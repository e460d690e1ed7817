#pragma once
// One view's work for one frame: compose its picture (media::compose) and encode it as a
// whole JPEG, 4:4:4, of its tiles only (media/tiles_only.h), its tables left out
// (media/jpeg_tables.h): every frame on its own, so a viewer whose mailbox skipped frames shows
// the right picture at once; full chroma, so thin coloured edges keep their colour. The
// compositor runs one per render thread; BM_ComposeView measures exactly this. Buffers grow,
// counted under the given site, only when a larger view than before appears.
#include <array>
#include <cstdint>
#include <span>
#include <vector>

#include "core/alloc_accounting.h"
#include "media/compose.h"
#include "media/jpeg_codec.h"
#include "media/jpeg_tables.h"
#include "net/protocol.h"

namespace ttycall::server {

// How the pictures are encoded, chosen by measurement (BENCHMARKS.md, "Picture codecs for
// the downstream" and "Tiles only"). With only the tiles coded (media/tiles_only.h), quality
// 55 keeps the moving test pattern, after the camera's own JPEG, within a mean error of
// 4/255 in every channel with a margin at 4 and at 8 participants (2.5/1.9/2.9 and
// 2.9/2.5/3.5); 4:2:0 and 4:2:2 lose blue well past that, and the accurate DCT costs nothing
// measurable here.
constexpr int kPictureQuality = 55;

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

  // The shown tiles of a cols x rows view as a VideoDown lists them (the picture holds only
  // them: tiles_only.h); returns how many. A tile that is empty or leaves the view is left
  // out (the receiver would refuse the frame).
  uint8_t frame_tiles(int cols, int rows,
                      std::array<net::FrameTile, net::kMaxFrameTiles>& out) const;
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
