#pragma once
// The palettes the renderers map colours to.
//  - xterm 256 colours: only the 6x6x6 colour cube (16..231) and the grey ramp (232..255),
//    never 0..15, which terminals let users redefine.
//  - the 16 ANSI colours (0..15), for terminals that have no more: xterm's default RGB values,
//    which is what most terminals show (others differ a little; nothing better is known).
#include <array>
#include <cstdint>

namespace ttycall::media {

struct Rgb {
  uint8_t r = 0;
  uint8_t g = 0;
  uint8_t b = 0;
  bool operator==(const Rgb&) const = default;
};

// The colour a terminal shows for palette index 16..255 (indices below 16 give black).
Rgb xterm256_color(uint8_t index);

// The palette index (16..255) nearest to a colour by squared RGB distance, cube winning
// ties. Exact but slow: it is how the lookup table below is built.
uint8_t xterm256_nearest(uint8_t r, uint8_t g, uint8_t b);

// xterm256_nearest at 5 bits per channel, indexed by xterm256_lut_key. Built once, on
// first use (thread-safe), then read-only.
using Xterm256Lut = std::array<uint8_t, 32 * 32 * 32>;
const Xterm256Lut& xterm256_lut();

inline int xterm256_lut_key(uint8_t r, uint8_t g, uint8_t b) {
  return (r >> 3) << 10 | (g >> 3) << 5 | (b >> 3);
}

// Table lookup of the nearest palette index; hot loops should fetch xterm256_lut() once.
inline uint8_t xterm256_index(uint8_t r, uint8_t g, uint8_t b) {
  return xterm256_lut()[xterm256_lut_key(r, g, b)];
}

// The colour xterm shows by default for ANSI colour 0..15 (black, red, green, yellow, blue,
// magenta, cyan, white, then their bright forms); indices above 15 give black.
Rgb ansi16_color(uint8_t index);

// The ANSI colour (0..15) nearest to a colour by squared RGB distance, the lower index
// winning ties. Exact but slow: it is how ansi16_lut is built.
uint8_t ansi16_nearest(uint8_t r, uint8_t g, uint8_t b);

// ansi16_nearest at 5 bits per channel, indexed by xterm256_lut_key (the same key). Built
// once, on first use (thread-safe), then read-only.
using Ansi16Lut = std::array<uint8_t, 32 * 32 * 32>;
const Ansi16Lut& ansi16_lut();

inline uint8_t ansi16_index(uint8_t r, uint8_t g, uint8_t b) {
  return ansi16_lut()[xterm256_lut_key(r, g, b)];
}

}  // namespace ttycall::media
