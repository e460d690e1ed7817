#pragma once
// Who a viewer's grid shows when a room has more members than tiles: the gallery.
//
// The room is ranked once a tick (rank_members): whoever spoke most recently first, then
// those with a camera on, then everyone else, ties in join order. A viewer's gallery
// (choose_gallery) is its pinned participant, then the ranking, cut at the viewer's
// gallery size. Positions are stable: the pin has the first tile, a participant who stays in
// the gallery keeps its tile, and newcomers take the tiles that were freed, so tiles do not
// jump around when the ranking reorders. Pure functions on caller-owned spans: nothing here
// allocates.
#include <cstdint>
#include <span>

namespace ttycall::server {

// What the ranking knows of a member (in join order, which is also id order).
struct GalleryCandidate {
  uint32_t id = 0;
  uint64_t last_spoke = 0;  // the tick they were last heard speaking; 0 = never
  bool camera_on = false;   // sending pictures, and not switched off
};

// Writes the indices (into `members`) of the best min(out.size(), members.size()) members,
// best first, into `out`; returns how many.
int rank_members(std::span<const GalleryCandidate> members, std::span<int> out);

// The viewer's gallery: ids by tile position, compact, at most min(out.size(), size).
// `ranking` is rank_members()'s ids order (member ids, best first); it should be at least
// `size` + 1 long so a pinned member does not shorten the gallery. `pinned_id` (0 = none)
// comes first if it is a member (`is_member`). `previous` is the gallery last drawn, by
// position. Returns the count.
int choose_gallery(std::span<const uint32_t> ranking, uint32_t pinned_id, bool pinned_is_member,
                   std::span<const uint32_t> previous, int size, std::span<uint32_t> out);

}  // namespace ttycall::server
