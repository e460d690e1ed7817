#include "media/jpeg_codec.h"

#include <turbojpeg.h>

namespace ttycall::media {

namespace {

int tj_subsampling(ChromaSubsampling subsampling) {
  return subsampling == ChromaSubsampling::k444 ? TJSAMP_444 : TJSAMP_420;
}

int tj_dct_flag(DctMethod dct) {
  return dct == DctMethod::kAccurate ? TJFLAG_ACCURATEDCT : TJFLAG_FASTDCT;
}

}  // namespace

JpegEncoder::JpegEncoder(JpegOptions options) : handle_(tjInitCompress()), options_(options) {}

JpegEncoder::~JpegEncoder() {
  if (handle_) tjDestroy(handle_);
}

size_t JpegEncoder::max_size(int width, int height, ChromaSubsampling subsampling) {
  return tjBufSize(width, height, tj_subsampling(subsampling));
}

size_t JpegEncoder::encode(ImageView image, std::span<uint8_t> out) {
  if (handle_ == nullptr || out.size() < max_size(image.width, image.height, options_.subsampling))
    return 0;
  unsigned char* dst = out.data();
  unsigned long size = out.size();
  const int rc = tjCompress2(handle_, image.rgb, image.width, image.stride, image.height, TJPF_RGB,
                             &dst, &size, tj_subsampling(options_.subsampling), options_.quality,
                             TJFLAG_NOREALLOC | tj_dct_flag(options_.dct));
  return rc == 0 ? size : 0;
}

JpegDecoder::JpegDecoder(DctMethod dct) : handle_(tjInitDecompress()), dct_(dct) {}

JpegDecoder::~JpegDecoder() {
  if (handle_) tjDestroy(handle_);
}

bool JpegDecoder::read_info(std::span<const uint8_t> jpeg, JpegInfo& info) {
  if (handle_ == nullptr) return false;
  int subsampling = 0, colorspace = 0;
  const int rc = tjDecompressHeader3(handle_, jpeg.data(), jpeg.size(), &info.width, &info.height,
                                     &subsampling, &colorspace);
  return rc == 0 && info.width > 0 && info.height > 0;
}

bool JpegDecoder::decode(std::span<const uint8_t> jpeg, const JpegInfo& info,
                         std::span<uint8_t> out) {
  if (handle_ == nullptr) return false;
  if (out.size() < size_t(info.width) * size_t(info.height) * 3) return false;
  // TJFLAG_LIMITSCANS: a progressive JPEG of more than 500 scans is refused. Without it a
  // hostile 1 MiB frame of ~80 000 tiny scans keeps a server thread busy for seconds.
  const int rc =
      tjDecompress2(handle_, jpeg.data(), jpeg.size(), out.data(), info.width, info.width * 3,
                    info.height, TJPF_RGB, tj_dct_flag(dct_) | TJFLAG_LIMITSCANS);
  // A warning (e.g. a truncated scan) still yields a usable image.
  return rc == 0 || tjGetErrorCode(handle_) == TJERR_WARNING;
}

}  // namespace ttycall::media
