#include "server/gallery.h"

#include <algorithm>

namespace ttycall::server {

int rank_members(std::span<const GalleryCandidate> members, std::span<int> out) {
  const int n = int(members.size());
  const int k = std::min<int>(n, int(out.size()));
  if (k <= 0) return 0;
  const auto better = [&](int a, int b) {
    const GalleryCandidate& x = members[size_t(a)];
    const GalleryCandidate& y = members[size_t(b)];
    if (x.last_spoke != y.last_spoke) return x.last_spoke > y.last_spoke;
    if (x.camera_on != y.camera_on) return x.camera_on;
    return a < b;  // join order
  };
  // A bounded selection: the k best seen so far, kept sorted (k is a gallery, n a room).
  int have = 0;
  for (int i = 0; i < n; ++i) {
    if (have == k && !better(i, out[size_t(k - 1)])) continue;
    int at = have < k ? have++ : k - 1;
    while (at > 0 && better(i, out[size_t(at - 1)])) {
      out[size_t(at)] = out[size_t(at - 1)];
      --at;
    }
    out[size_t(at)] = i;
  }
  return have;
}

int choose_gallery(std::span<const uint32_t> ranking, uint32_t pinned_id, bool pinned_is_member,
                   std::span<const uint32_t> previous, int size, std::span<uint32_t> out) {
  const int limit = std::min<int>(size, int(out.size()));
  if (limit <= 0) return 0;
  // Who should be shown, best first: the pin, then the ranking.
  constexpr int kMaxWanted = 256;
  uint32_t wanted[kMaxWanted];
  int count = 0;
  const int cap = std::min(limit, kMaxWanted);
  if (pinned_id != 0 && pinned_is_member) wanted[count++] = pinned_id;
  for (size_t i = 0; i < ranking.size() && count < cap; ++i) {
    if (ranking[i] != pinned_id) wanted[count++] = ranking[i];
  }
  const auto is_wanted = [&](uint32_t id) {
    return id != 0 && std::find(wanted, wanted + count, id) != wanted + count;
  };
  // The pin has the first tile; those already shown keep their positions (if the gallery is
  // still that long) ...
  std::fill(out.begin(), out.begin() + count, 0u);
  const bool pinned = pinned_id != 0 && pinned_is_member;
  if (pinned) out[0] = pinned_id;
  for (size_t p = pinned ? 1 : 0; p < previous.size() && int(p) < count; ++p) {
    if (previous[p] != pinned_id && is_wanted(previous[p])) out[p] = previous[p];
  }
  // ... and the rest take the free tiles, best first.
  int free = 0;
  for (int w = 0; w < count; ++w) {
    if (std::find(out.begin(), out.begin() + count, wanted[w]) != out.begin() + count) continue;
    while (out[size_t(free)] != 0) ++free;
    out[size_t(free)] = wanted[w];
  }
  return count;
}

}  // namespace ttycall::server
