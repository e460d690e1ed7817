#include "media/jpeg_codec.h"

#include <turbojpeg.h>

namespace ttycall::media {

JpegEncoder::JpegEncoder(int quality) : handle_(tjInitCompress()), quality_(quality) {}

JpegEncoder::~JpegEncoder() {
  if (handle_) tjDestroy(handle_);
}

size_t JpegEncoder::max_size(int width, int height) {
  return tjBufSize(width, height, TJSAMP_420);
}

size_t JpegEncoder::encode(ImageView image, std::span<uint8_t> out) {
  if (handle_ == nullptr || out.size() < max_size(image.width, image.height)) return 0;
  unsigned char* dst = out.data();
  unsigned long size = out.size();
  const int rc = tjCompress2(handle_, image.rgb, image.width, image.stride, image.height, TJPF_RGB,
                             &dst, &size, TJSAMP_420, quality_, TJFLAG_NOREALLOC | TJFLAG_FASTDCT);
  return rc == 0 ? size : 0;
}

JpegDecoder::JpegDecoder() : handle_(tjInitDecompress()) {}

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
                    info.height, TJPF_RGB, TJFLAG_FASTDCT | TJFLAG_LIMITSCANS);
  // A warning (e.g. a truncated scan) still yields a usable image.
  return rc == 0 || tjGetErrorCode(handle_) == TJERR_WARNING;
}

}  // namespace ttycall::media
