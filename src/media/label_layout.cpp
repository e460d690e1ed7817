#include "media/label_layout.h"

#include <algorithm>

#include "core/utf8.h"

namespace ttycall::media {

void draw_label(std::span<OverlayCell> overlay, int cols, int rows, const OverlayLabel& label) {
  // 64-bit arithmetic throughout: col + width and the centring offset cannot overflow.
  if (cols <= 0 || rows <= 0 || label.row < 0 || label.row >= rows || label.width <= 0) return;
  if (overlay.size() / size_t(cols) < size_t(rows)) return;  // not a cols x rows overlay
  const int64_t box_begin = label.col;
  const int64_t box_end = box_begin + label.width;
  const int64_t first = std::max<int64_t>(box_begin, 0);  // the cells we may write
  const int64_t last = std::min<int64_t>(box_end, cols);
  if (first >= last) return;

  // How much of the text fits between the padding.
  const int64_t pad = label.width >= 3 ? 1 : 0;
  const int64_t room = label.width - 2 * pad;
  int64_t used = 0;
  size_t fitting = 0;
  for (std::string_view rest = label.text; !rest.empty();) {
    const core::utf8::Decoded d = core::utf8::decode_displayable(rest);
    const int w = core::utf8::code_point_width(d.code_point);  // 1 or 2
    if (used + w > room) break;
    used += w;
    fitting += d.length;
    rest.remove_prefix(d.length);
  }

  OverlayCell* const cells = overlay.data() + size_t(label.row) * size_t(cols);
  const auto inside = [&](int64_t at) { return at >= first && at < last; };
  const auto put = [&](int64_t at, uint32_t code_point) {
    if (inside(at)) cells[at] = {code_point, label.style};
  };
  int64_t at = box_begin + (label.width - (used + 2 * pad)) / 2;
  if (pad) put(at++, ' ');
  for (std::string_view rest = label.text.substr(0, fitting); !rest.empty();) {
    const core::utf8::Decoded d = core::utf8::decode_displayable(rest);
    rest.remove_prefix(d.length);
    if (core::utf8::code_point_width(d.code_point) == 1) {
      put(at++, d.code_point);
      continue;
    }
    if (inside(at) && inside(at + 1)) {
      put(at, d.code_point);
      put(at + 1, kWideTail);
    } else {  // half of it would be outside the overlay: no half characters
      put(at, ' ');
      put(at + 1, ' ');
    }
    at += 2;
  }
  if (pad) put(at, ' ');
}

}  // namespace ttycall::media
