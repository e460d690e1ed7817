#pragma once
// The client's renderer: a picture (and the overlay the client laid out) becomes the bytes
// that bring the terminal from what it shows to the new frame, in one write.
//
// The picture always has square pixels: `cols` wide and `rows * 2` high. In half mode a cell
// shows two pixels (U+2580 upper half block, fg = top pixel, bg = bottom pixel; without
// colour, one of ▀ ▄ █ or a space by each pixel's luma); in ascii mode a cell shows the
// average of its two pixels as one character of the ramp " .:-=+*#%@", in its colour.
//
// Output of one render (the sequences are media/terminal_sequences.h's):
//   ESC[?2026h                     begin synchronized output
//   ESC[<row>;<col>H before a cell that does not follow the last one written (1-based)
//   SGR only where the colour differs from the cell written before it
//   the cell's glyph (UTF-8)
//   ESC[0m ESC[?2026l              reset attributes, show the update
// Only the cells that differ from what the previous render left on the terminal are
// written, unless the render is full (see render()). The renderer owns its buffers: they
// grow (counted under the site it was given) when a larger target first comes, and are
// reused after that, so rendering a target of a known size never allocates.
//
// Overlay text is the last line of defence against a terminal driven by names: a control
// code point, one that takes no cell, or a wide one without its kWideTail in the same row
// is written as U+FFFD. Every code point written is the overlay's or one of the renderer's
// own glyphs. Not thread-safe: one renderer per terminal.
#include <cstdint>
#include <optional>
#include <span>
#include <vector>

#include "core/alloc_accounting.h"
#include "media/image.h"
#include "media/overlay_cell.h"
#include "media/palette.h"
#include "media/render_options.h"

namespace ttycall::media {

struct RenderTarget {
  int cols = 0;
  int rows = 0;
  media::RenderMode mode = media::RenderMode::kHalf;
  media::ColorMode color = media::ColorMode::kTrueColor;
  bool operator==(const RenderTarget&) const = default;
};

// A colour as the target's colour mode sends it: 0xRRGGBB in true colour, a palette index
// in 16 (0..15) and 256 (16..255) colours, kDefaultColor for the terminal's own colour.
constexpr uint32_t kDefaultColor = 0xFFFFFFFFu;

// What a colour value shows, by the palettes of media/palette.h; nullopt for kDefaultColor
// and for any colour in ColorMode::kNone.
std::optional<media::Rgb> shown_color(uint32_t color, media::ColorMode mode);

// One terminal cell as the renderer writes it. 16 bytes, compared whole when diffing.
struct TextCell {
  uint32_t fg = kDefaultColor;
  uint32_t bg = kDefaultColor;
  uint32_t glyph = ' ';     // the glyph's UTF-8 bytes in memory order (memcpy'd, not shifted)
  uint8_t glyph_bytes = 1;  // 1..4; 0 for the right half of a wide glyph (nothing written)
  uint8_t reverse = 0;      // reverse video (the colourless highlight)
  uint8_t spare[2] = {};    // zero, so that whole cells compare
  bool operator==(const TextCell&) const = default;

  // The glyph's code point; kWideTail for the right half of a wide glyph.
  uint32_t code_point() const;
  bool wide_tail() const { return glyph_bytes == 0; }
};
static_assert(sizeof(TextCell) == 16);

class FrameRenderer {
 public:
  explicit FrameRenderer(const core::AllocSite& site);

  // `picture`: target.cols x target.rows*2 RGB24, any stride (larger pictures are cropped).
  // `overlay`: cols*rows cells, row-major, or empty (a shorter one covers the first cells).
  // Returns the bytes for the terminal, valid until the next call. A full redraw (every
  // cell) when `full`, on the first call, after invalidate(), or when the target differs
  // from the last call's; otherwise only the cells that changed. An empty span if the
  // target is empty or the picture smaller than it.
  std::span<const uint8_t> render(media::ImageView picture, const RenderTarget& target,
                                  std::span<const OverlayCell> overlay, bool full = false);

  // As render(..., full = true), but what the renderer believes the terminal shows stays as
  // it was (for one-off output elsewhere: --save-last-frame, --snapshot). cells() too.
  std::span<const uint8_t> render_snapshot(media::ImageView picture, const RenderTarget& target,
                                           std::span<const OverlayCell> overlay);

  // Something else drew on the terminal: the next render is full.
  void invalidate() { valid_ = false; }

  // What the terminal shows after the last render: target.cols * target.rows cells,
  // row-major (empty before the first render).
  std::span<const TextCell> cells() const { return {shown_.data(), shown_cells_}; }
  const RenderTarget& target() const { return shown_target_; }
  // Whether the last render() wrote every cell (asked for, or forced by a new target or an
  // invalidate()).
  bool last_render_full() const { return last_full_; }

  // Upper bound of one render's output for `target`; the output buffer is sized from it.
  static size_t max_bytes(const RenderTarget& target);

 private:
  bool prepare(media::ImageView picture, const RenderTarget& target,
               std::span<const OverlayCell> overlay);
  size_t emit(const RenderTarget& target, bool full);

  const core::AllocSite& site_;
  std::vector<TextCell> shown_;  // what the terminal shows
  std::vector<TextCell> next_;   // the frame being rendered
  std::vector<uint8_t> out_;
  size_t shown_cells_ = 0;
  RenderTarget shown_target_;
  bool valid_ = false;
  bool last_full_ = false;
};

}  // namespace ttycall::media
