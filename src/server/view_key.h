#pragma once
// What a viewer wants to see: the size of its picture and the layout. Viewers with equal
// keys share one composed view: how the picture becomes text is each client's own choice.
#include <cstdint>

#include "net/protocol.h"

namespace ttycall::server {

// The size and the layout are packed in 64 bits each, so each half can be read atomically
// (a tick that sees one half new and the other old draws one frame of a mixed view, then
// the next tick is right).
struct ViewKey {
  uint16_t cols = 0;
  uint16_t rows = 0;
  net::ViewLayout layout = net::ViewLayout::kGrid;
  uint32_t pinned_id = 0;  // the first tile (with kFocus: the large one); 0 = the speaker
  uint8_t gallery = 0;     // most tiles shown (set by the session: never 0 in a room)

  uint64_t packed() const { return uint64_t(cols) | uint64_t(rows) << 16; }
  uint64_t packed_layout() const {
    return uint64_t(layout) | uint64_t(pinned_id) << 8 | uint64_t(gallery) << 40;
  }
  static ViewKey unpack(uint64_t v, uint64_t layout = 0) {
    return {uint16_t(v), uint16_t(v >> 16), net::ViewLayout(uint8_t(layout)), uint32_t(layout >> 8),
            uint8_t(layout >> 40)};
  }
  bool operator==(const ViewKey&) const = default;
};

}  // namespace ttycall::server
