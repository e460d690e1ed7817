#include "media/text_renderer.h"

#include <array>
#include <cstring>
#include <string_view>

#include "core/utf8.h"
#include "media/palette.h"
#include "media/terminal_sequences.h"

namespace ttycall::media {
namespace {

using terminal::kFrameBegin;
using terminal::kFrameEnd;
constexpr std::string_view kAsciiRamp = " .:-=+*#%@";

// Longest "ESC[" + row + ";1H" for a target with `rows` rows.
size_t cursor_move_bytes(int rows) {
  size_t digits = 1;
  for (int v = rows; v >= 10; v /= 10) ++digits;
  return 2 + digits + 3;
}

// Worst case of one cell: the longest SGR of the colour mode plus a 4-byte UTF-8 glyph.
constexpr size_t max_cell_bytes(ColorMode color) {
  switch (color) {
    case ColorMode::kNone:
      return sizeof("\x1b[27m") - 1 + 4;
    case ColorMode::k16:
      return sizeof("\x1b[97;107m") - 1 + 4;
    case ColorMode::k256:
      return sizeof("\x1b[38;5;255;48;5;255m") - 1 + 4;
    case ColorMode::kTrueColor:
      return sizeof("\x1b[38;2;255;255;255;48;2;255;255;255m") - 1 + 4;
  }
  return 0;
}

// "0".."255" for SGR parameters, so no cell ever formats a number.
struct Decimal {
  char text[4];
  uint8_t len;
};

constexpr std::array<Decimal, 256> make_decimals() {
  std::array<Decimal, 256> table{};
  for (int v = 0; v < 256; ++v) {
    Decimal& d = table[v];
    if (v >= 100) d.text[d.len++] = static_cast<char>('0' + v / 100);
    if (v >= 10) d.text[d.len++] = static_cast<char>('0' + v / 10 % 10);
    d.text[d.len++] = static_cast<char>('0' + v % 10);
  }
  return table;
}

constexpr std::array<Decimal, 256> kDecimals = make_decimals();

// Stores 4 bytes and advances by the number's length. The spare bytes stay inside the
// cell's worst-case window: a shorter number leaves room for the missing digits, and every
// number is followed by at least 'm' and a glyph, which overwrite them.
inline uint8_t* put_decimal(uint8_t* p, uint8_t v) {
  std::memcpy(p, kDecimals[v].text, 4);
  return p + kDecimals[v].len;
}

inline uint8_t* put(uint8_t* p, std::string_view s) {
  std::memcpy(p, s.data(), s.size());
  return p + s.size();
}

// A cell's character as UTF-8 (the four bytes are copied whole, `length` of them count).
using Glyph = core::utf8::Encoded;

constexpr Glyph kUpperHalf{{0xE2, 0x96, 0x80, 0}, 3};  // U+2580
constexpr Glyph kLowerHalf{{0xE2, 0x96, 0x84, 0}, 3};  // U+2584
constexpr Glyph kFullBlock{{0xE2, 0x96, 0x88, 0}, 3};  // U+2588
constexpr Glyph kSpace{{' ', 0, 0, 0}, 1};

// Overlay text comes from participants' names: control characters would let them drive
// the viewer's terminal, so they become '?', and invalid code points U+FFFD.
Glyph overlay_glyph(uint32_t code_point) {
  const Glyph glyph = core::utf8::encode(core::utf8::is_control(code_point) ? '?' : code_point);
  return glyph.length > 0 ? glyph : core::utf8::encode(core::utf8::kReplacementCharacter);
}

// Rec.601 luma in integers (weights sum to 256).
inline int luma(const uint8_t* px) {
  return (77 * px[0] + 150 * px[1] + 29 * px[2] + 128) >> 8;
}

// A colour as the current mode sends it: packed 0xRRGGBB, a palette index, or kDefault
// (the terminal's own colour, SGR 39/49).
constexpr uint32_t kDefault = 0xFFFFFFFFu;

struct Style {
  uint32_t fg = kDefault;
  uint32_t bg = kDefault;
  bool reverse = false;  // colourless highlight only
};

template <ColorMode kColor>
class CellWriter {
 public:
  static constexpr size_t kMaxCell = max_cell_bytes(kColor);

  uint32_t encode(uint8_t r, uint8_t g, uint8_t b) const {
    if constexpr (kColor == ColorMode::kTrueColor) {
      return static_cast<uint32_t>(r) << 16 | static_cast<uint32_t>(g) << 8 | b;
    } else if constexpr (kColor == ColorMode::k256) {
      return lut_[xterm256_lut_key(r, g, b)];
    } else if constexpr (kColor == ColorMode::k16) {
      return lut16_[xterm256_lut_key(r, g, b)];
    } else {
      return kDefault;
    }
  }
  uint32_t encode(const uint8_t* px) const { return encode(px[0], px[1], px[2]); }

  Style overlay_style(uint8_t style) const {
    if constexpr (kColor == ColorMode::k16) {  // white on black; black on bright yellow
      if (style == kOverlayHighlight) return {0, 11, true};
      return {7, 0, false};
    }
    if (style == kOverlayHighlight) return {encode(0, 0, 0), encode(255, 200, 0), true};
    return {encode(230, 230, 230), encode(40, 40, 40), false};
  }

  // Writes the SGR needed to go from the current style to `want`, then the glyph; at most
  // kMaxCell bytes.
  uint8_t* cell(uint8_t* p, const Style& want, const Glyph& glyph) {
    if constexpr (kColor == ColorMode::kNone) {
      if (want.reverse != cur_.reverse) p = put(p, want.reverse ? "\x1b[7m" : "\x1b[27m");
    } else {
      const bool fg = want.fg != cur_.fg;
      const bool bg = want.bg != cur_.bg;
      if (fg || bg) {
        *p++ = 0x1b;
        *p++ = '[';
        if (fg) p = colour(p, want.fg, '3');
        if (fg && bg) *p++ = ';';
        if (bg) p = colour(p, want.bg, '4');
        *p++ = 'm';
      }
    }
    cur_ = want;
    std::memcpy(p, glyph.bytes.data(), 4);
    return p + glyph.length;
  }

  const Style& current() const { return cur_; }

 private:
  // "38;2;R;G;B" / "38;5;N" / "39" with `layer` '3' (fg) or '4' (bg).
  static uint8_t* colour(uint8_t* p, uint32_t c, char layer) {
    *p++ = static_cast<uint8_t>(layer);
    if (c == kDefault) {
      *p++ = '9';
      return p;
    }
    if constexpr (kColor == ColorMode::k16) {
      // 30-37 / 40-47, bright 90-97 / 100-107.
      if (c < 8) {
        *p++ = static_cast<uint8_t>('0' + c);
      } else if (layer == '3') {
        p[-1] = '9';
        *p++ = static_cast<uint8_t>('0' + c - 8);
      } else {
        p[-1] = '1';
        *p++ = '0';
        *p++ = static_cast<uint8_t>('0' + c - 8);
      }
      return p;
    } else if constexpr (kColor == ColorMode::kTrueColor) {
      p = put(p, "8;2;");
      p = put_decimal(p, static_cast<uint8_t>(c >> 16));
      *p++ = ';';
      p = put_decimal(p, static_cast<uint8_t>(c >> 8));
      *p++ = ';';
      return put_decimal(p, static_cast<uint8_t>(c));
    } else {
      p = put(p, "8;5;");
      return put_decimal(p, static_cast<uint8_t>(c));
    }
  }

  // The terminal is in its default state between frames: each frame ends with SGR 0.
  Style cur_;
  const Xterm256Lut& lut_ = xterm256_lut();
  const Ansi16Lut& lut16_ = ansi16_lut();
};

// Copies `n` bytes of `src` to `p` if they fit before `end`.
inline bool put_checked(uint8_t*& p, const uint8_t* end, const void* src, size_t n) {
  if (static_cast<size_t>(end - p) < n) return false;
  std::memcpy(p, src, n);
  p += n;
  return true;
}

template <RenderMode kMode, ColorMode kColor>
size_t render(ImageView canvas, const RenderTarget& target, std::span<const OverlayCell> overlay,
              std::span<uint8_t> out) {
  using Writer = CellWriter<kColor>;
  constexpr size_t kMaxCell = Writer::kMaxCell;
  Writer writer;
  uint8_t* p = out.data();
  const uint8_t* const end = out.data() + out.size();

  if (!put_checked(p, end, kFrameBegin.data(), kFrameBegin.size())) return 0;
  for (int row = 0; row < target.rows; ++row) {
    uint8_t move[16] = {0x1b, '['};
    uint8_t* m = move + 2;
    char digits[12];
    int n = 0;
    for (int v = row + 1; v > 0; v /= 10) digits[n++] = static_cast<char>('0' + v % 10);
    while (n > 0) *m++ = static_cast<uint8_t>(digits[--n]);
    m = put(m, ";1H");
    if (!put_checked(p, end, move, static_cast<size_t>(m - move))) return 0;

    const uint8_t* top = canvas.rgb + static_cast<long>(2 * row) * canvas.stride;
    const uint8_t* bottom = top + canvas.stride;
    const size_t overlay_row = static_cast<size_t>(row) * target.cols;
    for (int col = 0; col < target.cols; ++col, top += 3, bottom += 3) {
      Style want = writer.current();
      Glyph glyph = kSpace;
      const size_t index = overlay_row + col;
      if (index < overlay.size() && overlay[index].codepoint != 0) {
        want = writer.overlay_style(overlay[index].style);
        glyph = overlay_glyph(overlay[index].codepoint);
      } else if constexpr (kMode == RenderMode::kHalf) {
        want.reverse = false;
        if constexpr (kColor == ColorMode::kNone) {
          const bool upper = luma(top) >= 128;
          const bool lower = luma(bottom) >= 128;
          glyph = upper ? (lower ? kFullBlock : kUpperHalf) : (lower ? kLowerHalf : kSpace);
        } else {
          want.fg = writer.encode(top);
          want.bg = writer.encode(bottom);
          glyph = kUpperHalf;
        }
      } else {
        const uint8_t avg[3] = {static_cast<uint8_t>((top[0] + bottom[0] + 1) >> 1),
                                static_cast<uint8_t>((top[1] + bottom[1] + 1) >> 1),
                                static_cast<uint8_t>((top[2] + bottom[2] + 1) >> 1)};
        const char c = kAsciiRamp[luma(avg) * kAsciiRamp.size() / 256];
        glyph = {{static_cast<uint8_t>(c), 0, 0, 0}, 1};
        want.reverse = false;
        want.bg = kDefault;
        // A blank shows no foreground, so it keeps whatever colour is current.
        if (c != ' ') want.fg = writer.encode(avg);
      }

      if (static_cast<size_t>(end - p) >= kMaxCell) {
        p = writer.cell(p, want, glyph);
      } else {
        // Near the end of a buffer smaller than max_frame_bytes: stage the cell.
        uint8_t staged[kMaxCell];
        const uint8_t* staged_end = writer.cell(staged, want, glyph);
        if (!put_checked(p, end, staged, static_cast<size_t>(staged_end - staged))) return 0;
      }
    }
  }
  if (!put_checked(p, end, kFrameEnd.data(), kFrameEnd.size())) return 0;
  return static_cast<size_t>(p - out.data());
}

template <RenderMode kMode>
size_t render_mode(ImageView canvas, const RenderTarget& target,
                   std::span<const OverlayCell> overlay, std::span<uint8_t> out) {
  switch (target.color) {
    case ColorMode::kNone:
      return render<kMode, ColorMode::kNone>(canvas, target, overlay, out);
    case ColorMode::k16:
      return render<kMode, ColorMode::k16>(canvas, target, overlay, out);
    case ColorMode::k256:
      return render<kMode, ColorMode::k256>(canvas, target, overlay, out);
    case ColorMode::kTrueColor:
      return render<kMode, ColorMode::kTrueColor>(canvas, target, overlay, out);
  }
  return 0;
}

}  // namespace

size_t max_frame_bytes(const RenderTarget& target) {
  const size_t fixed = kFrameBegin.size() + kFrameEnd.size();
  if (target.cols <= 0 || target.rows <= 0) return fixed;
  const size_t rows = static_cast<size_t>(target.rows);
  const size_t cells = static_cast<size_t>(target.cols) * rows;
  return fixed + rows * cursor_move_bytes(target.rows) + cells * max_cell_bytes(target.color);
}

size_t render_frame(ImageView canvas, const RenderTarget& target,
                    std::span<const OverlayCell> overlay, std::span<uint8_t> out) {
  if (target.cols <= 0 || target.rows <= 0 || canvas.rgb == nullptr || canvas.width < target.cols ||
      canvas.height < 2 * target.rows) {
    return 0;
  }
  switch (target.mode) {
    case RenderMode::kAscii:
      return render_mode<RenderMode::kAscii>(canvas, target, overlay, out);
    case RenderMode::kHalf:
      return render_mode<RenderMode::kHalf>(canvas, target, overlay, out);
  }
  return 0;
}

}  // namespace ttycall::media
