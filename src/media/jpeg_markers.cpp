#include "media/jpeg_markers.h"

namespace ttycall::media::jpeg_markers {

bool is_baseline(std::span<const uint8_t> jpeg) {
  int frames = 0;
  bool baseline = false;
  const bool whole = for_each_segment(jpeg, [&](uint8_t marker, std::span<const uint8_t>) {
    if (!is_start_of_frame(marker)) return;
    ++frames;
    baseline = marker == kSof0;
  });
  return whole && frames == 1 && baseline;
}

}  // namespace ttycall::media::jpeg_markers
