#include "client/video_source.h"

#include <charconv>

#include "client/test_patterns.h"

namespace ttycall::client {

VideoSourceResult make_video_source(std::string_view spec, uint32_t seed) {
  VideoSourceResult result;
  if (spec == "none") return result;
  if (spec == "test:bars") {
    result.source = std::make_unique<BarsSource>();
  } else if (spec == "test:moving") {
    result.source = std::make_unique<MovingSource>(seed);
  } else if (spec.starts_with("test:solid:")) {
    const std::string_view hex = spec.substr(11);
    uint32_t rgb = 0;
    const auto [end, ec] = std::from_chars(hex.data(), hex.data() + hex.size(), rgb, 16);
    if (hex.size() != 6 || ec != std::errc() || end != hex.data() + hex.size()) {
      result.error = "test:solid needs a colour as six hex digits, e.g. test:solid:ff0000";
      return result;
    }
    result.source =
        std::make_unique<SolidSource>(uint8_t(rgb >> 16), uint8_t(rgb >> 8), uint8_t(rgb));
  } else {
    result.error = "unknown video source '" + std::string(spec) +
                   "' (expected test:bars, test:moving, test:solid:RRGGBB or none)";
  }
  return result;
}

}  // namespace ttycall::client
