#include "media/jpeg_tables.h"

#include <array>
#include <cstring>

#include "media/jpeg_markers.h"

namespace ttycall::media {
namespace {

using jpeg_markers::for_each_segment;
using jpeg_markers::kCom;
using jpeg_markers::kDht;
using jpeg_markers::kDqt;
using jpeg_markers::kMarker;
using jpeg_markers::kSoi;

constexpr uint32_t kFnvBasis = 2166136261u;

uint32_t fnv1a(uint32_t h, std::span<const uint8_t> bytes) {
  for (uint8_t b : bytes) h = (h ^ b) * 16777619u;
  return h;
}

bool is_table(uint8_t marker) {
  return marker == kDqt || marker == kDht;
}
bool is_dropped(uint8_t marker) {
  return is_table(marker) || marker == kCom || (marker >= 0xE0 && marker <= 0xEF);  // APPn
}

}  // namespace

StrippedJpeg strip_tables(std::span<const uint8_t> jpeg, std::span<uint8_t> out) {
  if (out.size() < jpeg.size()) return {};
  // First pass: check the structure and hash the tables, before anything is written (out
  // may be jpeg itself).
  uint32_t h = kFnvBasis;
  size_t header_end = 0;
  const bool ok = for_each_segment(jpeg, [&](uint8_t marker, std::span<const uint8_t> segment) {
    if (is_table(marker)) h = fnv1a(h, segment);
    header_end = size_t(segment.data() - jpeg.data()) + segment.size();
  });
  if (!ok) return {};
  size_t n = 0;
  out[n++] = kMarker;
  out[n++] = kSoi;
  for_each_segment(jpeg, [&](uint8_t marker, std::span<const uint8_t> segment) {
    if (is_dropped(marker)) return;
    std::memmove(out.data() + n, segment.data(), segment.size());
    n += segment.size();
  });
  const size_t rest = jpeg.size() - header_end;  // the scan and EOI
  std::memmove(out.data() + n, jpeg.data() + header_end, rest);
  return {n + rest, h};
}

JpegTables::JpegTables(JpegOptions options, const core::AllocSite& site) : options_(options) {
  // The tables of libjpeg's baseline encoder depend on the quality alone, not the picture.
  constexpr int kSide = 8;
  const std::array<uint8_t, kSide * kSide * 3> grey{};
  JpegEncoder encoder(options_);
  std::vector<uint8_t> jpeg;
  core::grow_to(jpeg, JpegEncoder::max_size(kSide, kSide, options_.subsampling), site);
  jpeg.resize(encoder.encode({grey.data(), kSide, kSide, kSide * 3}, jpeg));
  core::ScopedAllocSite scope(site);
  for_each_segment(jpeg, [this](uint8_t marker, std::span<const uint8_t> segment) {
    if (is_table(marker)) segments_.insert(segments_.end(), segment.begin(), segment.end());
  });
  hash_ = fnv1a(kFnvBasis, segments_);
}

size_t JpegTables::restore(std::span<const uint8_t> stripped, std::span<uint8_t> out) const {
  if (stripped.size() < 2 || stripped[0] != kMarker || stripped[1] != kSoi) return 0;
  if (out.size() < stripped.size() + segments_.size()) return 0;
  out[0] = kMarker;
  out[1] = kSoi;
  std::memcpy(out.data() + 2, segments_.data(), segments_.size());
  std::memcpy(out.data() + 2 + segments_.size(), stripped.data() + 2, stripped.size() - 2);
  return stripped.size() + segments_.size();
}

}  // namespace ttycall::media
