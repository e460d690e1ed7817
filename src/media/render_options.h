#pragma once
// The two axes of a text rendering: how pixels become characters, and how many colours
// the terminal gets. Colour modes are ordered by how many colours they show.
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
  k16 = 1,         // the 16 ANSI colours (SGR 30-37/90-97, 40-47/100-107)
  k256 = 2,        // xterm 256-colour palette (6x6x6 cube + grey ramp)
  kTrueColor = 3,  // 24-bit SGR
};

constexpr int kRenderModeCount = 2;
constexpr int kColorModeCount = 4;

std::string_view to_string(RenderMode mode);
std::string_view to_string(ColorMode mode);
std::optional<RenderMode> parse_render_mode(std::string_view text);  // "ascii" | "half"
std::optional<ColorMode> parse_color_mode(std::string_view text);  // "none" | "16" | "256" | "true"

}  // namespace ttycall::media
