// The gallery (src/server/gallery.h): who a viewer's grid shows when the room has more
// members than tiles, and that tiles keep their places.
#include "server/gallery.h"

#include <gtest/gtest.h>

#include <array>
#include <vector>

namespace ttycall::server {
namespace {

std::vector<uint32_t> ranked_ids(const std::vector<GalleryCandidate>& members, int keep) {
  std::vector<int> order(static_cast<size_t>(keep));
  const int n = rank_members(members, order);
  std::vector<uint32_t> ids;
  for (int k = 0; k < n; ++k) ids.push_back(members[size_t(order[size_t(k)])].id);
  return ids;
}

std::vector<uint32_t> gallery(const std::vector<uint32_t>& ranking, uint32_t pinned,
                              const std::vector<uint32_t>& previous, int size) {
  std::array<uint32_t, 64> out{};
  const int n = choose_gallery(ranking, pinned, pinned != 0, previous, size, out);
  return {out.begin(), out.begin() + n};
}

// Ids 1..n in join order, nobody speaking, cameras as given.
std::vector<GalleryCandidate> room(int n, std::initializer_list<uint32_t> cameras = {}) {
  std::vector<GalleryCandidate> members;
  for (int i = 1; i <= n; ++i) {
    bool camera = false;
    for (uint32_t c : cameras) camera = camera || c == uint32_t(i);
    members.push_back({uint32_t(i), 0, camera});
  }
  return members;
}

TEST(Gallery, RanksRecentSpeakersThenCamerasThenJoinOrder) {
  auto members = room(10, {7, 9});
  members[4].last_spoke = 100;  // id 5 spoke at tick 100
  members[2].last_spoke = 120;  // id 3 spoke later
  EXPECT_EQ(ranked_ids(members, 6), (std::vector<uint32_t>{3, 5, 7, 9, 1, 2}));
  // Fewer members than places: everyone, still in rank order.
  EXPECT_EQ(ranked_ids(room(3, {3}), 8), (std::vector<uint32_t>{3, 1, 2}));
}

TEST(Gallery, RanksABigRoomWithoutLosingTheBest) {
  auto members = room(1000);
  members[999].last_spoke = 5;
  members[500].camera_on = true;
  members[10].last_spoke = 7;
  EXPECT_EQ(ranked_ids(members, 4), (std::vector<uint32_t>{11, 1000, 501, 1}));
}

TEST(Gallery, PutsThePinnedParticipantFirstAndCutsAtTheSize) {
  const std::vector<uint32_t> ranking{3, 5, 7, 9, 1};
  EXPECT_EQ(gallery(ranking, 0, {}, 3), (std::vector<uint32_t>{3, 5, 7}));
  EXPECT_EQ(gallery(ranking, 42, {}, 3), (std::vector<uint32_t>{42, 3, 5}));
  // Pinned and also ranked: not twice.
  EXPECT_EQ(gallery(ranking, 7, {}, 3), (std::vector<uint32_t>{7, 3, 5}));
  // A pin that is not a member is ignored.
  std::array<uint32_t, 8> out{};
  ASSERT_EQ(choose_gallery(ranking, 42, false, {}, 3, out), 3);
  EXPECT_EQ(out[0], 3u);
}

TEST(Gallery, KeepsTilePositionsWhileTheRankingReorders) {
  // Shown: 1 2 3 4. Then 9 speaks and ranks first, 3 drops out of the top four.
  const std::vector<uint32_t> before = gallery({1, 2, 3, 4, 5}, 0, {}, 4);
  ASSERT_EQ(before, (std::vector<uint32_t>{1, 2, 3, 4}));
  const std::vector<uint32_t> after = gallery({9, 4, 1, 2, 3}, 0, before, 4);
  // 1, 2 and 4 stay where they were; 9 takes the tile 3 left.
  EXPECT_EQ(after, (std::vector<uint32_t>{1, 2, 9, 4}));
  // The same ranking again changes nothing.
  EXPECT_EQ(gallery({9, 4, 1, 2, 3}, 0, after, 4), after);
}

TEST(Gallery, APinTakesTheFirstTileAndTheOneItDisplacesMovesToAFreeOne) {
  const std::vector<uint32_t> before{1, 2, 3, 4};
  // 7 is pinned: first; 1 (still wanted) moves to the tile 4 left; 2 and 3 stay.
  EXPECT_EQ(gallery({1, 2, 3, 4, 5}, 7, before, 4), (std::vector<uint32_t>{7, 2, 3, 1}));
  // Pinning one already shown moves it to the front, and the first one to its tile.
  EXPECT_EQ(gallery({1, 2, 3, 4, 5}, 3, before, 4), (std::vector<uint32_t>{3, 2, 1, 4}));
}

TEST(Gallery, CompactsWhenItShrinks) {
  const std::vector<uint32_t> before{1, 2, 3, 4};
  // 2 left: three to show; 4 was at position 3, beyond the new count, so it moves up.
  EXPECT_EQ(gallery({1, 3, 4}, 0, before, 4), (std::vector<uint32_t>{1, 4, 3}));
  // A smaller gallery size keeps who fits at their places.
  EXPECT_EQ(gallery({1, 2, 3, 4}, 0, before, 2), (std::vector<uint32_t>{1, 2}));
}

}  // namespace
}  // namespace ttycall::server
