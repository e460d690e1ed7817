#include "media/frame_renderer.h"

#include <array>
#include <bit>
#include <cstring>
#include <string_view>
#include <utility>

#include "core/utf8.h"
#include "media/picture_cells_internal.h"
#include "media/terminal_sequences.h"

namespace ttycall::media {
namespace {

using media::ColorMode;
using media::terminal::kFrameBegin;
using media::terminal::kFrameEnd;

// The output buffer has this much room beyond max_bytes' count: every store below writes
// a fixed 4 or 8 bytes and advances by the bytes that count, so it may run past them.
constexpr size_t kSlack = 16;

// An SGR parameter with its separator ("0;" .. "255;"), stored as 4 bytes; the last
// separator of a sequence is overwritten with 'm'.
struct Param {
  char text[4];
  uint32_t length;
};

constexpr std::array<Param, 256> kDecimals = [] {
  std::array<Param, 256> table{};
  for (int v = 0; v < 256; ++v) {
    Param& d = table[v];
    if (v >= 100) d.text[d.length++] = static_cast<char>('0' + v / 100);
    if (v >= 10) d.text[d.length++] = static_cast<char>('0' + v / 10 % 10);
    d.text[d.length++] = static_cast<char>('0' + v % 10);
    d.text[d.length++] = ';';
  }
  return table;
}();

// 16 colours: 30-37 / 90-97 and 40-47 / 100-107; index 16 is the default (39 / 49).
constexpr std::array<Param, 17> make_ansi16(bool bg) {
  std::array<Param, 17> table{};
  for (int i = 0; i < 17; ++i) {
    Param& d = table[i];
    const int code = i == 16 ? (bg ? 49 : 39) : (i < 8 ? 30 + i : 90 + i - 8) + (bg ? 10 : 0);
    if (code >= 100) d.text[d.length++] = static_cast<char>('0' + code / 100);
    d.text[d.length++] = static_cast<char>('0' + code / 10 % 10);
    d.text[d.length++] = static_cast<char>('0' + code % 10);
    d.text[d.length++] = ';';
  }
  return table;
}
constexpr std::array<Param, 17> kAnsi16Fg = make_ansi16(false);
constexpr std::array<Param, 17> kAnsi16Bg = make_ansi16(true);

inline uint8_t* put_param(uint8_t* p, const Param& d) {
  std::memcpy(p, d.text, 4);
  return p + d.length;
}

inline uint8_t* put(uint8_t* p, std::string_view s) {
  std::memcpy(p, s.data(), s.size());
  return p + s.size();
}

// A literal of up to 8 bytes, stored as one 8-byte store (an immediate: building it in
// memory byte by byte would stall the store that reads it back).
struct Literal {
  uint64_t bytes;
  uint32_t length;
};

constexpr Literal literal(std::string_view text) {
  std::array<char, 8> block{};
  for (size_t i = 0; i < text.size() && i < 8; ++i) block[i] = text[i];
  return {std::bit_cast<uint64_t>(block), static_cast<uint32_t>(text.size())};
}

inline constexpr Literal kFgRgb = literal("38;2;");
inline constexpr Literal kBgRgb = literal("48;2;");
inline constexpr Literal kFg256 = literal("38;5;");
inline constexpr Literal kBg256 = literal("48;5;");
inline constexpr Literal kFgDefault = literal("39;");
inline constexpr Literal kBgDefault = literal("49;");
inline constexpr Literal kReverse = literal("\x1b[7m");
inline constexpr Literal kNoReverse = literal("\x1b[27m");

inline uint8_t* put_literal(uint8_t* p, const Literal& l) {
  std::memcpy(p, &l.bytes, 8);
  return p + l.length;
}

size_t decimal_digits(int v) {
  size_t digits = 1;
  for (; v >= 10; v /= 10) ++digits;
  return digits;
}

uint8_t* put_number(uint8_t* p, int v) {
  char digits[12];
  int n = 0;
  do {
    digits[n++] = static_cast<char>('0' + v % 10);
    v /= 10;
  } while (v > 0);
  while (n > 0) *p++ = static_cast<uint8_t>(digits[--n]);
  return p;
}

// ESC[<row>;<col>H, both 1-based.
uint8_t* put_move(uint8_t* p, int row, int col) {
  *p++ = 0x1b;
  *p++ = '[';
  p = put_number(p, row);
  *p++ = ';';
  p = put_number(p, col);
  *p++ = 'H';
  return p;
}

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

// The attributes the terminal has at a point of the output. Every frame ends with SGR 0,
// so each one starts from the defaults.
struct Sgr {
  uint32_t fg = kDefaultColor;
  uint32_t bg = kDefaultColor;
  uint8_t reverse = 0;
};

// "38;..;" (kBg false) or "48;..;" for one colour in the mode's form.
template <ColorMode kColor, bool kBg>
inline uint8_t* put_colour(uint8_t* p, uint32_t c) {
  if constexpr (kColor == ColorMode::k16) {
    return put_param(p, (kBg ? kAnsi16Bg : kAnsi16Fg)[c == kDefaultColor ? 16 : c & 15]);
  } else {
    if (c == kDefaultColor) return put_literal(p, kBg ? kBgDefault : kFgDefault);
    if constexpr (kColor == ColorMode::kTrueColor) {
      p = put_literal(p, kBg ? kBgRgb : kFgRgb);
      p = put_param(p, kDecimals[c >> 16 & 0xFF]);
      p = put_param(p, kDecimals[c >> 8 & 0xFF]);
      return put_param(p, kDecimals[c & 0xFF]);
    } else {
      p = put_literal(p, kBg ? kBg256 : kFg256);
      return put_param(p, kDecimals[c & 0xFF]);
    }
  }
}

// The SGR that takes the terminal from `cur` to the cell's attributes, then its glyph.
template <ColorMode kColor>
[[gnu::always_inline]] inline uint8_t* put_cell(uint8_t* p, const TextCell& c, Sgr& cur) {
  if constexpr (kColor == ColorMode::kNone) {
    if (c.reverse != cur.reverse) {
      p = put_literal(p, c.reverse ? kReverse : kNoReverse);
      cur.reverse = c.reverse;
    }
  } else {
    // A blank shows no foreground, so it keeps whatever colour is current.
    const bool fg = c.fg != cur.fg && c.glyph != kSpace.bytes;
    const bool bg = c.bg != cur.bg;
    if (fg || bg) {
      *p++ = 0x1b;
      *p++ = '[';
      if (fg) {
        p = put_colour<kColor, false>(p, c.fg);
        cur.fg = c.fg;
      }
      if (bg) {
        p = put_colour<kColor, true>(p, c.bg);
        cur.bg = c.bg;
      }
      p[-1] = 'm';
    }
  }
  std::memcpy(p, &c.glyph, 4);
  return p + c.glyph_bytes;
}

inline bool same_cell(const TextCell& a, const TextCell& b) {
  uint64_t x[2];
  uint64_t y[2];
  std::memcpy(x, &a, 16);
  std::memcpy(y, &b, 16);
  return ((x[0] ^ y[0]) | (x[1] ^ y[1])) == 0;
}

// All cells (kFull) or those that differ from `shown`. A wide glyph and its tail are one
// unit: written (head only) when either differs.
template <ColorMode kColor, bool kFull>
uint8_t* put_cells(uint8_t* p, const TextCell* next, const TextCell* shown, int cols, int rows) {
  Sgr cur;
  int cursor_row = -1;
  int cursor_col = -1;
  const size_t row_bytes = static_cast<size_t>(cols) * sizeof(TextCell);
  for (int row = 0; row < rows; ++row) {
    const TextCell* n = next + static_cast<ptrdiff_t>(row) * cols;
    const TextCell* o = shown + static_cast<ptrdiff_t>(row) * cols;
    if (!kFull && std::memcmp(n, o, row_bytes) == 0) continue;
    for (int col = 0; col < cols; ++col) {
      const TextCell& c = n[col];
      if (c.glyph_bytes == 0) continue;  // covered by the wide glyph to its left
      const bool wide = col + 1 < cols && n[col + 1].glyph_bytes == 0;
      if (!kFull && same_cell(c, o[col]) && (!wide || same_cell(n[col + 1], o[col + 1]))) {
        continue;
      }
      if (col != cursor_col || row != cursor_row) {
        p = put_move(p, row + 1, col + 1);
        cursor_row = row;
      }
      p = put_cell<kColor>(p, c, cur);
      cursor_col = col + 1 + static_cast<int>(wide);
    }
  }
  return p;
}

template <ColorMode kColor>
uint8_t* put_frame(uint8_t* p, const TextCell* next, const TextCell* shown, int cols, int rows,
                   bool full) {
  p = put(p, kFrameBegin);
  p = full ? put_cells<kColor, true>(p, next, shown, cols, rows)
           : put_cells<kColor, false>(p, next, shown, cols, rows);
  return put(p, kFrameEnd);
}

}  // namespace

uint32_t TextCell::code_point() const {
  if (glyph_bytes == 0) return kWideTail;
  uint8_t bytes[4];
  std::memcpy(bytes, &glyph, 4);
  return core::utf8::decode(std::span<const uint8_t>(bytes, glyph_bytes)).code_point;
}

std::optional<media::Rgb> shown_color(uint32_t color, media::ColorMode mode) {
  if (color == kDefaultColor) return std::nullopt;
  switch (mode) {
    case ColorMode::kNone:
      return std::nullopt;
    case ColorMode::k16:
      return media::ansi16_color(static_cast<uint8_t>(color));
    case ColorMode::k256:
      return media::xterm256_color(static_cast<uint8_t>(color));
    case ColorMode::kTrueColor:
      return media::Rgb{static_cast<uint8_t>(color >> 16), static_cast<uint8_t>(color >> 8),
                        static_cast<uint8_t>(color)};
  }
  return std::nullopt;
}

FrameRenderer::FrameRenderer(const core::AllocSite& site) : site_(site) {}

size_t FrameRenderer::max_bytes(const RenderTarget& target) {
  const size_t fixed = kFrameBegin.size() + kFrameEnd.size();
  if (target.cols <= 0 || target.rows <= 0) return fixed;
  const size_t cells = static_cast<size_t>(target.cols) * static_cast<size_t>(target.rows);
  // At most one cursor move before each cell.
  const size_t move = 4 + decimal_digits(target.rows) + decimal_digits(target.cols);
  return fixed + cells * (move + max_cell_bytes(target.color));
}

bool FrameRenderer::prepare(media::ImageView picture, const RenderTarget& target,
                            std::span<const OverlayCell> overlay) {
  if (target.cols <= 0 || target.rows <= 0 || picture.rgb == nullptr ||
      picture.width < target.cols || picture.height < 2 * target.rows ||
      picture.stride < 3 * target.cols) {
    return false;
  }
  const size_t cells = static_cast<size_t>(target.cols) * static_cast<size_t>(target.rows);
  core::grow_to(next_, cells, site_);
  core::grow_to(shown_, cells, site_);
  core::grow_to(out_, max_bytes(target) + kSlack, site_);
  // Picture -> cells, then the overlay on top. Scalar: it meets the renderer's budget
  // (BENCHMARKS.md) without SIMD.
  picture_cells_scalar(picture, target, next_.data());
  apply_overlay(target, overlay, next_.data());
  return true;
}

size_t FrameRenderer::emit(const RenderTarget& target, bool full) {
  uint8_t* const begin = out_.data();
  const TextCell* next = next_.data();
  const TextCell* shown = shown_.data();
  const int cols = target.cols;
  const int rows = target.rows;
  uint8_t* end = begin;
  switch (target.color) {
    case ColorMode::kNone:
      end = put_frame<ColorMode::kNone>(begin, next, shown, cols, rows, full);
      break;
    case ColorMode::k16:
      end = put_frame<ColorMode::k16>(begin, next, shown, cols, rows, full);
      break;
    case ColorMode::k256:
      end = put_frame<ColorMode::k256>(begin, next, shown, cols, rows, full);
      break;
    case ColorMode::kTrueColor:
      end = put_frame<ColorMode::kTrueColor>(begin, next, shown, cols, rows, full);
      break;
  }
  return static_cast<size_t>(end - begin);
}

std::span<const uint8_t> FrameRenderer::render(media::ImageView picture, const RenderTarget& target,
                                               std::span<const OverlayCell> overlay, bool full) {
  if (!prepare(picture, target, overlay)) return {};
  const bool whole = full || !valid_ || target != shown_target_;
  const size_t n = emit(target, whole);
  std::swap(shown_, next_);
  shown_cells_ = static_cast<size_t>(target.cols) * static_cast<size_t>(target.rows);
  shown_target_ = target;
  valid_ = true;
  last_full_ = whole;
  return {out_.data(), n};
}

std::span<const uint8_t> FrameRenderer::render_snapshot(media::ImageView picture,
                                                        const RenderTarget& target,
                                                        std::span<const OverlayCell> overlay) {
  if (!prepare(picture, target, overlay)) return {};
  return {out_.data(), emit(target, true)};
}

}  // namespace ttycall::media
