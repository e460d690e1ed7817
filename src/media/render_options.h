#pragma once
// The two axes of a text rendering: how pixels become characters, and how many colours
// the terminal gets. Their numeric values are part of the wire protocol.
#include <cstdint>
#include <optional>
#include <string_view>

namespace ttycall::media {

enum class RenderMode : uint8_t {
  kAscii = 0,  // one character per cell from a luminance ramp
  kHalf = 1,   // upper half block: foreground = top pixel, background = bottom pixel
};

enum class ColorMode : uint8_t {
  kNone = 0,       // no SGR colour at all
  k256 = 1,        // xterm 256-colour palette (6x6x6 cube + grey ramp)
  kTrueColor = 2,  // 24-bit SGR
};

constexpr int kRenderModeCount = 2;
constexpr int kColorModeCount = 3;

std::string_view to_string(RenderMode mode);
std::string_view to_string(ColorMode mode);
std::optional<RenderMode> parse_render_mode(std::string_view text);  // "ascii" | "half"
std::optional<ColorMode> parse_color_mode(std::string_view text);    // "none" | "256" | "true"

}  // namespace ttycall::media
