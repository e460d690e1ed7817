#pragma once
// Text drawn over the picture on the client: tile labels and, later, anything else the
// client lays out itself. One OverlayCell a terminal cell, row-major, cols * rows. Overlay
// text reaches the terminal only as code points the client checked and laid out
// (label_layout.h): never as bytes from the network.
#include <cstdint>

namespace ttycall::media {

enum OverlayStyle : uint8_t {
  kOverlayLabel = 0,      // light text on a dark background
  kOverlayHighlight = 1,  // dark text on a bright background (the active speaker)
};

// codepoint 0: no overlay here, the picture shows. kWideTail: the right half of the wide
// (two-cell) character in the cell to its left; the renderer writes nothing for it.
constexpr uint32_t kWideTail = 0xFFFFFFFFu;

struct OverlayCell {
  uint32_t codepoint = 0;
  uint8_t style = kOverlayLabel;  // OverlayStyle
  bool operator==(const OverlayCell&) const = default;
};

}  // namespace ttycall::media
