#include "server/view_encoder.h"

namespace ttycall::server {

ViewEncoder::ViewEncoder(const core::AllocSite& site)
    : site_(site), compose_(site), encoder_(kPictureJpeg) {}

EncodedView ViewEncoder::encode(const media::ComposeInput& input) {
  const media::ComposedView composed = media::compose(input, compose_);
  if (composed.picture.rgb == nullptr) return {{}, composed.labels, composed.tiles};
  core::grow_to(jpeg_,
                media::JpegEncoder::max_size(composed.picture.width, composed.picture.height,
                                             kPictureJpeg.subsampling),
                site_);
  const size_t size = encoder_.encode(composed.picture, jpeg_);
  return {{jpeg_.data(), size}, composed.labels, composed.tiles};
}

}  // namespace ttycall::server
