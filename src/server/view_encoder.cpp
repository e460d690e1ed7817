#include "server/view_encoder.h"

namespace ttycall::server {

ViewEncoder::ViewEncoder(const core::AllocSite& site)
    : site_(site), compose_(site), encoder_(media::picture_jpeg_options(kPictureQuality)) {}

EncodedView ViewEncoder::encode(const media::ComposeInput& input) {
  const media::ComposedView composed = media::compose(input, compose_);
  if (composed.picture.rgb == nullptr) return {{}, 0, composed.labels, composed.tiles};
  core::grow_to(jpeg_,
                media::JpegEncoder::max_size(composed.picture.width, composed.picture.height,
                                             media::ChromaSubsampling::k444),
                site_);
  const size_t size = encoder_.encode(composed.picture, jpeg_);
  const media::StrippedJpeg stripped = media::strip_tables({jpeg_.data(), size}, jpeg_);
  return {{jpeg_.data(), stripped.size}, stripped.tables_hash, composed.labels, composed.tiles};
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
