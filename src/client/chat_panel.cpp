#include "client/chat_panel.h"

#include <fmt/format.h>

#include <algorithm>
#include <ctime>

#include "core/utf8.h"

namespace ttycall::client {

void ChatPanel::add(const net::ChatMessage& message) {
  Line& line = lines_[added_++ % kKept];
  const time_t seconds = time_t(message.time_us / 1000000);
  std::tm local{};
  ::localtime_r(&seconds, &local);
  fmt::format_to_n(line.time.data(), line.time.size(), "{:02}:{:02}", local.tm_hour % 100,
                   local.tm_min % 100);
  line.sender = message.sender;
  line.text_len = message.text_len;
  std::copy_n(message.text.begin(), message.text_len, line.text.begin());
  if (!visible_) ++unseen_;
}

void ChatPanel::toggle() {
  visible_ = !visible_;
  if (visible_) unseen_ = 0;
}

std::string_view ChatPanel::status_text() {
  if (!notice_.empty()) return notice_;
  if (visible_ || unseen_ == 0) return {};
  const auto r = fmt::format_to_n(status_.data(), status_.size(), "{} new message{} (p shows chat)",
                                  unseen_, unseen_ == 1 ? "" : "s");
  return {status_.data(), std::min(r.size, status_.size())};
}

int ChatPanel::lay_out(const Line& line, int width, int first_row,
                       std::span<media::OverlayCell> overlay, int cols, int rows) {
  // "HH:MM name: text": the time and ": " are ours, name and text from the network; every
  // code point of all of them is checked on its way into a cell.
  const std::string_view parts[] = {
      {line.time.data(), 5}, " ", line.sender.view(), ": ", {line.text.data(), line.text_len}};
  const uint8_t styles[] = {media::kOverlayLabel, media::kOverlayLabel, media::kOverlayHighlight,
                            media::kOverlayLabel, media::kOverlayLabel};
  int row = 0;
  int col = 0;
  for (size_t p = 0; p < std::size(parts); ++p) {
    std::string_view text = parts[p];
    while (!text.empty()) {
      const core::utf8::Decoded d = core::utf8::decode_displayable(text);
      text.remove_prefix(d.length);
      const int w = core::utf8::code_point_width(d.code_point);  // 1 or 2
      if (col + w > width) {
        ++row;
        col = 0;
      }
      const int r = first_row + row;
      if (r >= 0 && r < rows && col + w <= cols) {
        media::OverlayCell* cell = &overlay[size_t(r) * cols + col];
        cell[0] = {d.code_point, styles[p]};
        if (w == 2) cell[1] = {media::kWideTail, styles[p]};
      }
      col += w;
    }
  }
  return row + 1;
}

void ChatPanel::draw(std::span<media::OverlayCell> overlay, int cols, int rows) const {
  if (!visible_ || added_ == 0 || cols < 4 || rows < 2) return;
  if (overlay.size() < size_t(cols) * rows) return;
  const int width = std::min(cols, kMaxWidth);
  const int height = std::min(rows / 2, kMaxHeight);
  // Newest at the bottom: each message, from the newest back, goes above the last one.
  int bottom = rows;  // the first row below the panel's used part
  std::span<media::OverlayCell> none;
  for (size_t i = 0; i < size() && bottom > rows - height; ++i) {
    const Line& line = lines_[(added_ - 1 - i) % kKept];
    const int needed = lay_out(line, width, 0, none, 0, 0);  // measure only
    const int top = bottom - needed;
    // A solid box under the text, then the text; rows above the panel are left alone.
    for (int r = std::max(top, rows - height); r < bottom; ++r) {
      std::fill_n(overlay.begin() + size_t(r) * cols, width,
                  media::OverlayCell{' ', media::kOverlayLabel});
    }
    // Rows above the panel's height are clipped by drawing into a window that starts there.
    const int clip_top = rows - height;
    std::span<media::OverlayCell> window = overlay.subspan(size_t(clip_top) * cols);
    lay_out(line, width, top - clip_top, window, cols, rows - clip_top);
    bottom = top;
  }
}

}  // namespace ttycall::client
