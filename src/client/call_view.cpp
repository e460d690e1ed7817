#include "client/call_view.h"

#include <fmt/format.h>

#include "core/console.h"

namespace ttycall::client {

CallView::CallView(int cols, int rows) : cols_(cols) {
  screen_.set_size(cols, rows);
  if (screen_.too_small()) core::write_all(STDOUT_FILENO, screen_.compose_too_small());
}

void CallView::resize(int cols, int rows, const ScreenState& state) {
  cols_ = cols;
  screen_.set_size(cols, rows);
  core::write_all(STDOUT_FILENO, "\x1b[2J");
  if (screen_.too_small()) {
    core::write_all(STDOUT_FILENO, screen_.compose_too_small());
  } else {
    draw_chrome(state);
  }
}

bool CallView::draw_frame(std::span<const uint8_t> frame, int frame_cols, int frame_rows,
                          const ScreenState& state) {
  if (screen_.too_small() || frame_cols > cols_ || frame_rows > screen_.picture_rows()) {
    return false;
  }
  core::write_all(STDOUT_FILENO, screen_.compose(frame, state));
  return true;
}

void CallView::draw_chrome(const ScreenState& state) {
  if (!screen_.too_small()) core::write_all(STDOUT_FILENO, screen_.compose_chrome(state));
}

void CallView::show_status(std::string_view text) {
  core::write_all(STDOUT_FILENO, fmt::format("\x1b[2J\x1b[H\x1b[0m{}", text));
}

}  // namespace ttycall::client
