#pragma once
// What the picture -> cells stage's versions (scalar, SIMD) and the emitter share: the
// renderer's own glyphs in the form a TextCell holds them, and the stage's pieces.
#include <array>
#include <bit>
#include <cstdint>
#include <span>

#include "media/frame_renderer.h"
#include "media/image.h"

namespace ttycall::media {

// A glyph as a TextCell holds it: its UTF-8 bytes in memory order, and how many there are.
struct PackedGlyph {
  uint32_t bytes = 0;
  uint8_t length = 0;
};

constexpr PackedGlyph packed(uint8_t b0, uint8_t b1 = 0, uint8_t b2 = 0, uint8_t length = 1) {
  return {std::bit_cast<uint32_t>(std::array<uint8_t, 4>{b0, b1, b2, 0}), length};
}

inline constexpr PackedGlyph kSpace = packed(' ');
inline constexpr PackedGlyph kUpperHalf = packed(0xE2, 0x96, 0x80, 3);  // U+2580 ▀
inline constexpr PackedGlyph kLowerHalf = packed(0xE2, 0x96, 0x84, 3);  // U+2584 ▄
inline constexpr PackedGlyph kFullBlock = packed(0xE2, 0x96, 0x88, 3);  // U+2588 █

// Colourless half mode, indexed by (top lit) << 1 | (bottom lit).
inline constexpr PackedGlyph kThresholdGlyphs[4] = {kSpace, kLowerHalf, kUpperHalf, kFullBlock};

// The ascii ramp " .:-=+*#%@", darkest first, as packed one-byte glyphs.
inline constexpr int kAsciiRampLength = 10;
inline constexpr std::array<uint32_t, kAsciiRampLength> kAsciiRamp = [] {
  constexpr char kRamp[] = " .:-=+*#%@";
  std::array<uint32_t, kAsciiRampLength> ramp{};
  for (int i = 0; i < kAsciiRampLength; ++i) ramp[i] = packed(uint8_t(kRamp[i])).bytes;
  return ramp;
}();

// Any code point (U+FFFD for one UTF-8 cannot encode).
PackedGlyph pack(uint32_t code_point);

// The picture's cells, without overlay: scalar.
void picture_cells_scalar(media::ImageView picture, const RenderTarget& target, TextCell* cells);
// The overlay on top of `cells`, checked as frame_renderer.h says.
void apply_overlay(const RenderTarget& target, std::span<const OverlayCell> overlay,
                   TextCell* cells);

}  // namespace ttycall::media
