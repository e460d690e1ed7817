#include "client/mirror.h"

#include <poll.h>
#include <sys/signalfd.h>

#include <algorithm>
#include <csignal>
#include <vector>

#include "client/terminal.h"
#include "client/video_source.h"
#include "core/alloc_accounting.h"
#include "core/clock.h"
#include "core/console.h"
#include "media/compose.h"
#include "media/frame_renderer.h"

namespace ttycall::client {
namespace {

const core::AllocSite& mirror_site() {
  static const core::AllocSite site("mirror.scratch");
  return site;
}

// Renders one frame of `source` for a cols x rows terminal, composed as the server composes
// a view (the picture edge to edge, no label) and drawn as a client draws it: only the
// cells that changed since the renderer's last frame, unless `full`. The text lives in
// `renderer`.
std::span<const uint8_t> render_once(VideoSource& source, const MirrorOptions& o, int cols,
                                     int rows, uint64_t frame, double t,
                                     std::vector<uint8_t>& picture, media::ComposeScratch& scratch,
                                     media::FrameRenderer& renderer, bool full) {
  const int w = cols, h = rows * 2;
  core::grow_to(picture, size_t(w) * h * 3, mirror_site());
  const media::MutableImageView image{picture.data(), w, h, w * 3};
  source.capture(image, frame, t);
  const media::TileSource tile{image.view(), {}, false};
  const media::ComposeInput input{cols, rows, media::TileLayout::kFill, 0, {&tile, 1}};
  const media::ComposedView composed = media::compose(input, scratch);
  return renderer.render(composed.picture, {cols, rows, o.render, o.color}, {}, full);
}

}  // namespace

int run_mirror(const MirrorOptions& o) {
  VideoSourceOptions video_options;
  video_options.seed = 1;
  video_options.flip = o.flip;
  video_options.loop = o.loop;
  core::Result<OpenedVideo> made = make_video_source(o.video, video_options);
  if (!made.is_ok() || !made->source) {
    core::write_stderr_whole(
        "ttycall: " + (made.is_ok() ? "mirror needs a video source" : made.status().message()) +
        "\n");
    return 2;
  }
  VideoSource& source = *made->source;
  std::vector<uint8_t> picture;
  media::ComposeScratch scratch(mirror_site());
  media::FrameRenderer renderer(mirror_site());

  auto size_now = [&] {
    if (o.cols > 0 && o.rows > 0) return TerminalSize{o.cols, o.rows};
    return terminal_size().value_or(TerminalSize{80, 24});
  };

  if (o.snapshot) {
    const TerminalSize size = size_now();
    const std::span<const uint8_t> text =
        render_once(source, o, size.cols, size.rows, 0, 0, picture, scratch, renderer, true);
    return core::write_all(STDOUT_FILENO, text) ? 0 : 1;
  }

  // Signals arrive on a descriptor, so the loop below notices them and unwinds normally:
  // the TerminalGuard then restores the terminal.
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGINT);
  sigaddset(&signals, SIGTERM);
  sigaddset(&signals, SIGHUP);
  sigprocmask(SIG_BLOCK, &signals, nullptr);
  const int signal_fd = signalfd(-1, &signals, SFD_CLOEXEC | SFD_NONBLOCK);

  TerminalGuard terminal;
  const auto start = core::SteadyClock::now();
  const auto period = core::to_duration(1.0 / std::max(1, o.fps));
  auto next = start;
  TerminalSize last{};
  for (uint64_t frame = 0;; ++frame) {
    const auto now = core::SteadyClock::now();
    const double t = core::seconds_between(start, now);
    if (o.duration > 0 && t >= o.duration) break;
    const TerminalSize size = size_now();
    const bool resized = size.cols != last.cols || size.rows != last.rows;
    if (resized) core::write_all(STDOUT_FILENO, "\x1b[2J");
    last = size;
    core::write_all(STDOUT_FILENO, render_once(source, o, size.cols, size.rows, frame, t, picture,
                                               scratch, renderer, resized));

    next += period;
    const int wait_ms = std::max<int>(
        0,
        int(std::chrono::duration_cast<std::chrono::milliseconds>(next - core::SteadyClock::now())
                .count()));
    pollfd fds[2] = {{STDIN_FILENO, POLLIN, 0}, {signal_fd, POLLIN, 0}};
    if (::poll(fds, 2, wait_ms) > 0) {
      if (fds[1].revents & POLLIN) break;
      if (fds[0].revents & POLLIN) {
        char keys[64];
        const ssize_t k = ::read(STDIN_FILENO, keys, sizeof keys);
        if (k <= 0) break;
        if (std::any_of(keys, keys + k, [](char c) { return c == 'q' || c == 'Q' || c == 3; })) {
          break;
        }
      }
    }
  }
  terminal.restore();
  if (signal_fd >= 0) ::close(signal_fd);
  sigprocmask(SIG_UNBLOCK, &signals, nullptr);
  return 0;
}

}  // namespace ttycall::client
