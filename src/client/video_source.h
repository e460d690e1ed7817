#pragma once
// Where a client's camera picture comes from. A source draws one frame at the size the
// server asked for into a caller's image; it does not allocate per frame.
//
// Specs: "test:bars", "test:moving", "test:solid:RRGGBB", "none".
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "media/image.h"

namespace ttycall::client {

class VideoSource {
 public:
  virtual ~VideoSource() = default;
  // Draws frame number `frame` (at `seconds` since the source started) into `out`.
  virtual void capture(media::MutableImageView out, uint64_t frame, double seconds) = 0;
};

struct VideoSourceResult {
  std::unique_ptr<VideoSource> source;  // null for "none" or on error
  std::string error;                    // non-empty when the spec is invalid
};

// Parses a spec; `seed` varies the animated pattern between participants.
VideoSourceResult make_video_source(std::string_view spec, uint32_t seed = 0);

}  // namespace ttycall::client
