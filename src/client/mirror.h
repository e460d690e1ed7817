#pragma once
// `ttycall mirror`: renders a video source locally, no server involved. Useful to see what
// a camera or pattern looks like as text art, and (with snapshot) to pipe one frame.
#include <optional>
#include <string>

#include "media/render_options.h"

namespace ttycall::client {

struct MirrorOptions {
  std::string video = "test:moving";  // any client video source (see video_source.h)
  std::optional<bool> flip;           // default: on for cameras, off otherwise
  bool loop = false;                  // a file starts again at its end
  media::RenderMode render = media::RenderMode::kHalf;
  media::ColorMode color = media::ColorMode::kTrueColor;
  int cols = 0;  // 0 = terminal size (80x24 when not a terminal)
  int rows = 0;
  int fps = 30;
  double duration = 0;    // seconds; 0 = until q
  bool snapshot = false;  // render one frame to stdout and exit
};

// Returns the process exit code.
int run_mirror(const MirrorOptions& options);

}  // namespace ttycall::client
