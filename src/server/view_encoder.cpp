#include "server/view_encoder.h"

#include "media/tiles_only.h"

namespace ttycall::server {

ViewEncoder::ViewEncoder(const core::AllocSite& site)
    : site_(site), compose_(site), encoder_(media::picture_jpeg_options(kPictureQuality)) {}

EncodedView ViewEncoder::encode(const media::ComposeInput& input) {
  const media::ComposedView composed = media::compose(input, compose_);
  if (composed.picture.rgb == nullptr) return {{}, 0, composed.labels, composed.tiles};
  // Only the tiles are the picture: the black around them costs no edges (tiles_only.h).
  media::pad_outside_tiles({compose_.canvas.data(), composed.picture.width, composed.picture.height,
                            composed.picture.stride},
                           composed.tiles);
  core::grow_to(jpeg_,
                media::JpegEncoder::max_size(composed.picture.width, composed.picture.height,
                                             media::ChromaSubsampling::k444),
                site_);
  const size_t size = encoder_.encode(composed.picture, jpeg_);
  const media::StrippedJpeg stripped = media::strip_tables({jpeg_.data(), size}, jpeg_);
  return {{jpeg_.data(), stripped.size}, stripped.tables_hash, composed.labels, composed.tiles};
}

uint8_t EncodedView::frame_tiles(int cols, int rows,
                                 std::array<net::FrameTile, net::kMaxFrameTiles>& out) const {
  uint8_t count = 0;
  for (const media::TileRect& tile : tiles) {
    const bool inside = tile.cols > 0 && tile.rows > 0 && tile.col >= 0 && tile.row >= 0 &&
                        tile.col + tile.cols <= cols && tile.row + tile.rows <= rows;
    if (!inside || count == net::kMaxFrameTiles) continue;
    out[count++] = {uint16_t(tile.col), uint16_t(tile.row), uint16_t(tile.cols),
                    uint16_t(tile.rows)};
  }
  return count;
}

void ViewEncoder::fit(ViewSize largest) {
  // Its canvas, and the largest JPEG it can make.
  const size_t need =
      largest.cells() * 2 * 3 +
      media::JpegEncoder::max_size(largest.cols, largest.rows * 2, media::ChromaSubsampling::k444);
  if (scratch_bytes() <= std::max(2 * need, kSlackBytes)) return;
  std::vector<uint8_t>().swap(compose_.canvas);
  std::vector<uint8_t>().swap(jpeg_);
}

size_t ViewEncoder::scratch_bytes() const {
  return compose_.canvas.capacity() + jpeg_.capacity();
}

}  // namespace ttycall::server
