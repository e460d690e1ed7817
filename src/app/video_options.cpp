#include "app/commands.h"

namespace ttycall::app {

void add_video_options(CLI::App& command, std::optional<bool>& flip, bool& loop) {
  command.add_flag_function(
      "--flip,!--no-flip", [&flip](int64_t count) { flip = count > 0; },
      "Mirror the picture left to right (default: on for cameras, off for files)");
  command.add_flag("--loop", loop,
                   "Play a --video or --audio file again from the start at its end");
}

}  // namespace ttycall::app
