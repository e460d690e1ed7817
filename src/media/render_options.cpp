#include "media/render_options.h"

namespace ttycall::media {

std::string_view to_string(RenderMode mode) {
  switch (mode) {
    case RenderMode::kAscii:
      return "ascii";
    case RenderMode::kHalf:
      return "half";
  }
  return "?";
}

std::string_view to_string(ColorMode mode) {
  switch (mode) {
    case ColorMode::kNone:
      return "none";
    case ColorMode::k16:
      return "16";
    case ColorMode::k256:
      return "256";
    case ColorMode::kTrueColor:
      return "true";
  }
  return "?";
}

std::optional<RenderMode> parse_render_mode(std::string_view text) {
  if (text == "ascii") return RenderMode::kAscii;
  if (text == "half") return RenderMode::kHalf;
  return std::nullopt;
}

std::optional<ColorMode> parse_color_mode(std::string_view text) {
  if (text == "none") return ColorMode::kNone;
  if (text == "16") return ColorMode::k16;
  if (text == "256") return ColorMode::k256;
  // "truecolor" and "24bit" are the spellings of $COLORTERM; accept them too.
  if (text == "true" || text == "truecolor" || text == "24bit") return ColorMode::kTrueColor;
  return std::nullopt;
}

}  // namespace ttycall::media
