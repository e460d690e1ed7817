#pragma once
// Turns a pixel canvas into the bytes a terminal draws: one frame, one write.
//
// The canvas always has square pixels: `cols` wide and `rows * 2` high. In half mode each
// cell shows two pixels (upper half block, fg = top, bg = bottom); in ascii mode a cell
// shows the average of its two pixels as one character of a luminance ramp.
//
// Output contract (what the terminal receives; the sequences are in terminal_sequences.h):
//   terminal::kFrameBegin  ESC[?2026h: begin synchronized output (DEC private mode 2026)
//   per row: ESC[<row>;1H then the row's cells (no newline, so nothing ever scrolls)
//   terminal::kFrameEnd    ESC[0m ESC[?2026l: reset attributes, end synchronized output
// An SGR sequence is emitted only when the colour (or overlay style) changes from the
// previous cell. Nothing here allocates: the caller passes the output buffer.
#include <cstddef>
#include <cstdint>
#include <span>

#include "media/image.h"
#include "media/render_options.h"

namespace ttycall::media {

// Text drawn over the picture (tile labels). One entry per cell, row-major, cols * rows.
// codepoint 0 means "no overlay here, draw the picture".
struct OverlayCell {
  uint32_t codepoint = 0;
  uint8_t style = 0;  // OverlayStyle
};

enum OverlayStyle : uint8_t {
  kOverlayLabel = 0,      // light text on a dark background
  kOverlayHighlight = 1,  // dark text on a bright background (e.g. the active speaker)
};

struct RenderTarget {
  int cols = 0;
  int rows = 0;
  RenderMode mode = RenderMode::kHalf;
  ColorMode color = ColorMode::kTrueColor;
};

// Upper bound of render_frame's output for a target, so buffers can be sized once.
size_t max_frame_bytes(const RenderTarget& target);

// Renders `canvas` (target.cols x target.rows*2) with an optional overlay (empty span =
// none) into `out`. Returns the number of bytes written; 0 if `out` is too small (it never
// is when sized with max_frame_bytes).
size_t render_frame(ImageView canvas, const RenderTarget& target,
                    std::span<const OverlayCell> overlay, std::span<uint8_t> out);

}  // namespace ttycall::media
