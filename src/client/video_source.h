#pragma once
// Where a client's camera picture comes from. A source draws one frame at the size the
// server asked for into a caller's image; it does not allocate per frame.
//
// Specs: "test:bars", "test:moving", "test:solid:RRGGBB", "none",
//        "device" (the first camera), "v4l2:/dev/videoN" (that camera),
//        "file:PATH" or a URL ("http(s)://...", "rtsp://...": anything FFmpeg opens).
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "client/audio_feed.h"
#include "core/status.h"
#include "media/image.h"

namespace ttycall::client {

class VideoSource {
 public:
  virtual ~VideoSource() = default;
  // Draws frame number `frame` (at `seconds` since the source started) into `out`.
  virtual void capture(media::MutableImageView out, uint64_t frame, double seconds) = 0;
};

struct VideoSourceOptions {
  uint32_t seed = 0;         // varies the animated pattern between participants
  std::optional<bool> flip;  // mirror left-right; default: on for cameras, off otherwise
  bool loop = false;         // a file starts again at its end
  bool with_audio = false;   // a file or URL also plays its sound (OpenedVideo::audio)
};

struct OpenedVideo {
  std::unique_ptr<VideoSource> source;  // null for "none"
  std::shared_ptr<AudioFeed> audio;     // the file's sound, when asked for and it has one
};

// Parses a spec and opens the source; a failure says in one line why the spec is invalid
// or its source cannot be opened.
core::Result<OpenedVideo> make_video_source(std::string_view spec,
                                            const VideoSourceOptions& options);
core::Result<OpenedVideo> make_video_source(std::string_view spec, uint32_t seed = 0);

// Whether a spec names a file or URL (played by FFmpeg), or a camera.
bool is_media_spec(std::string_view spec);
bool is_camera_spec(std::string_view spec);

}  // namespace ttycall::client
