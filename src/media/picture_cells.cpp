// The picture -> cells stage of FrameRenderer: two rows of pixels become one row of cells
// in the target's mode and colours, then the overlay is laid on top.
#include <algorithm>
#include <array>
#include <bit>
#include <string_view>

#include "core/utf8.h"
#include "media/frame_renderer.h"
#include "media/picture_cells_internal.h"

namespace ttycall::media {
namespace {

using media::ColorMode;
using media::RenderMode;

// Rec.601 luma in integers (weights sum to 256).
inline int luma(uint8_t r, uint8_t g, uint8_t b) {
  return (77 * r + 150 * g + 29 * b + 128) >> 8;
}

template <ColorMode kColor>
inline uint32_t encode(const uint8_t* lut, uint8_t r, uint8_t g, uint8_t b) {
  if constexpr (kColor == ColorMode::kTrueColor) {
    return static_cast<uint32_t>(r) << 16 | static_cast<uint32_t>(g) << 8 | b;
  } else if constexpr (kColor == ColorMode::kNone) {
    (void)lut;
    return kDefaultColor;
  } else {
    return lut[media::xterm256_lut_key(r, g, b)];
  }
}

template <ColorMode kColor>
void half_row(const uint8_t* top, const uint8_t* bottom, int cols, const uint8_t* lut,
              TextCell* out) {
  for (int x = 0; x < cols; ++x, top += 3, bottom += 3) {
    TextCell c;
    if constexpr (kColor == ColorMode::kNone) {
      const int upper = luma(top[0], top[1], top[2]) >= 128;
      const int lower = luma(bottom[0], bottom[1], bottom[2]) >= 128;
      const PackedGlyph& g = kThresholdGlyphs[upper << 1 | lower];
      c.glyph = g.bytes;
      c.glyph_bytes = g.length;
    } else {
      c.fg = encode<kColor>(lut, top[0], top[1], top[2]);
      c.bg = encode<kColor>(lut, bottom[0], bottom[1], bottom[2]);
      c.glyph = kUpperHalf.bytes;
      c.glyph_bytes = kUpperHalf.length;
    }
    out[x] = c;
  }
}

template <ColorMode kColor>
void ascii_row(const uint8_t* top, const uint8_t* bottom, int cols, const uint8_t* lut,
               TextCell* out) {
  for (int x = 0; x < cols; ++x, top += 3, bottom += 3) {
    const auto r = static_cast<uint8_t>((top[0] + bottom[0] + 1) >> 1);
    const auto g = static_cast<uint8_t>((top[1] + bottom[1] + 1) >> 1);
    const auto b = static_cast<uint8_t>((top[2] + bottom[2] + 1) >> 1);
    const int level = luma(r, g, b) * kAsciiRampLength >> 8;
    TextCell c;
    c.glyph = kAsciiRamp[level];
    // A blank shows no foreground: it keeps the default, so that blanks compare equal.
    if (level != 0) c.fg = encode<kColor>(lut, r, g, b);
    out[x] = c;
  }
}

template <RenderMode kMode, ColorMode kColor>
void picture_rows(media::ImageView picture, const RenderTarget& target, TextCell* cells) {
  const uint8_t* lut = nullptr;
  if constexpr (kColor == ColorMode::k256) lut = media::xterm256_lut().data();
  if constexpr (kColor == ColorMode::k16) lut = media::ansi16_lut().data();
  for (int row = 0; row < target.rows; ++row) {
    const uint8_t* top = picture.rgb + static_cast<ptrdiff_t>(2 * row) * picture.stride;
    TextCell* out = cells + static_cast<ptrdiff_t>(row) * target.cols;
    if constexpr (kMode == RenderMode::kHalf) {
      half_row<kColor>(top, top + picture.stride, target.cols, lut, out);
    } else {
      ascii_row<kColor>(top, top + picture.stride, target.cols, lut, out);
    }
  }
}

template <RenderMode kMode>
void picture_rows_mode(media::ImageView picture, const RenderTarget& target, TextCell* cells) {
  switch (target.color) {
    case ColorMode::kNone:
      return picture_rows<kMode, ColorMode::kNone>(picture, target, cells);
    case ColorMode::k16:
      return picture_rows<kMode, ColorMode::k16>(picture, target, cells);
    case ColorMode::k256:
      return picture_rows<kMode, ColorMode::k256>(picture, target, cells);
    case ColorMode::kTrueColor:
      return picture_rows<kMode, ColorMode::kTrueColor>(picture, target, cells);
  }
}

struct OverlayStyles {
  TextCell label;
  TextCell highlight;
};

OverlayStyles overlay_styles(ColorMode color) {
  OverlayStyles s;
  auto pair = [&](TextCell& c, uint8_t fr, uint8_t fg, uint8_t fb, uint8_t br, uint8_t bg,
                  uint8_t bb) {
    if (color == ColorMode::kTrueColor) {
      c.fg = encode<ColorMode::kTrueColor>(nullptr, fr, fg, fb);
      c.bg = encode<ColorMode::kTrueColor>(nullptr, br, bg, bb);
    } else if (color == ColorMode::k256) {
      c.fg = media::xterm256_index(fr, fg, fb);
      c.bg = media::xterm256_index(br, bg, bb);
    }
  };
  // Light text on a dark grey; dark text on a bright yellow.
  pair(s.label, 230, 230, 230, 40, 40, 40);
  pair(s.highlight, 0, 0, 0, 255, 200, 0);
  if (color == ColorMode::k16) {
    s.label.fg = 7;  // white on black
    s.label.bg = 0;
    s.highlight.fg = 0;  // black on bright yellow
    s.highlight.bg = 11;
  }
  if (color == ColorMode::kNone) s.highlight.reverse = 1;
  return s;
}

// The overlay's code point at `i` as the renderer may write it, taking `*width` cells.
uint32_t checked_code_point(std::span<const OverlayCell> overlay, size_t i, int col, int cols,
                            int* width) {
  const uint32_t cp = overlay[i].codepoint;
  *width = 1;
  if (core::utf8::is_control(cp)) return core::utf8::kReplacementCharacter;
  const int w = core::utf8::code_point_width(cp);
  if (w == 1) return cp;
  // A wide glyph needs its right half in the same row, or it would cover a cell the
  // renderer believes it wrote; anything taking no cell would shift the rest of the row.
  if (w == 2 && col + 1 < cols && i + 1 < overlay.size() && overlay[i + 1].codepoint == kWideTail) {
    *width = 2;
    return cp;
  }
  return core::utf8::kReplacementCharacter;
}

}  // namespace

void apply_overlay(const RenderTarget& target, std::span<const OverlayCell> overlay,
                   TextCell* cells) {
  const size_t n = std::min(overlay.size(), static_cast<size_t>(target.cols) * target.rows);
  if (n == 0) return;
  overlay = overlay.first(n);
  const OverlayStyles styles = overlay_styles(target.color);
  size_t wide_head = SIZE_MAX;  // the index of the last wide glyph written
  int col = 0;
  for (size_t i = 0; i < n; ++i, col = col + 1 == target.cols ? 0 : col + 1) {
    const OverlayCell& o = overlay[i];
    if (o.codepoint == 0) continue;
    TextCell c = o.style == kOverlayHighlight ? styles.highlight : styles.label;
    if (o.codepoint == kWideTail) {
      if (wide_head + 1 == i) {
        cells[i] = TextCell{kDefaultColor, kDefaultColor, 0, 0, 0, {}};
        continue;
      }
      c.glyph = kSpace.bytes;  // a tail without its wide glyph: a blank in its style
      c.glyph_bytes = 1;
      cells[i] = c;
      continue;
    }
    int width = 1;
    const uint32_t cp = checked_code_point(overlay, i, col, target.cols, &width);
    const PackedGlyph glyph = pack(cp);
    c.glyph = glyph.bytes;
    c.glyph_bytes = glyph.length;
    if (width == 2) wide_head = i;
    cells[i] = c;
  }
}

void picture_cells_scalar(media::ImageView picture, const RenderTarget& target, TextCell* cells) {
  switch (target.mode) {
    case RenderMode::kAscii:
      return picture_rows_mode<RenderMode::kAscii>(picture, target, cells);
    case RenderMode::kHalf:
      return picture_rows_mode<RenderMode::kHalf>(picture, target, cells);
  }
}

PackedGlyph pack(uint32_t code_point) {
  core::utf8::Encoded e = core::utf8::encode(code_point);
  if (e.length == 0) e = core::utf8::encode(core::utf8::kReplacementCharacter);
  return {std::bit_cast<uint32_t>(e.bytes), e.length};
}

}  // namespace ttycall::media
