// Specification of core::FixedRing (src/core/fixed_ring.h): a bounded FIFO in fixed storage.
#include "core/fixed_ring.h"

#include <gtest/gtest.h>

namespace ttycall::core {
namespace {

TEST(FixedRing, KeepsOrderAndRefusesWhenFull) {
  FixedRing<int, 3> ring;
  EXPECT_TRUE(ring.empty());
  EXPECT_TRUE(ring.push(1));
  EXPECT_TRUE(ring.push(2));
  EXPECT_TRUE(ring.push(3));
  EXPECT_TRUE(ring.full());
  EXPECT_FALSE(ring.push(4));  // refused: nothing changes
  ASSERT_EQ(ring.size(), 3u);
  EXPECT_EQ(ring.front(), 1);
  ring.pop();
  EXPECT_EQ(ring.front(), 2);
}

TEST(FixedRing, MakingRoomDropsTheOldest) {
  FixedRing<int, 2> ring;
  EXPECT_FALSE(ring.make_room());
  ring.push(1);
  ring.push(2);
  EXPECT_TRUE(ring.make_room());  // 1 goes
  ring.push(3);
  ASSERT_EQ(ring.size(), 2u);
  EXPECT_EQ(ring.front(), 2);
  ring.pop();
  EXPECT_EQ(ring.front(), 3);
}

TEST(FixedRing, WrapsAroundItsStorage) {
  FixedRing<int, 3> ring;
  for (int i = 0; i < 10; ++i) {
    ring.push(i);
    EXPECT_EQ(ring.front(), i);
    ring.pop();
  }
  EXPECT_TRUE(ring.empty());
}

TEST(FixedRing, FillsInPlace) {
  FixedRing<int, 2> ring;
  ring.next_slot() = 7;
  ring.commit_push();
  ring.push(8);
  EXPECT_TRUE(ring.full());
  EXPECT_TRUE(ring.make_room());  // drops 7
  EXPECT_EQ(ring.front(), 8);
  ring.clear();
  EXPECT_TRUE(ring.empty());
  ring.pop();  // popping an empty ring is harmless
  EXPECT_EQ(ring.size(), 0u);
}

}  // namespace
}  // namespace ttycall::core
