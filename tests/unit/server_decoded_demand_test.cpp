// Specification of server::DecodedDemand (src/server/decoded_demand.h): the decoded-frame
// pool follows the number of members shown in all rooms, not the number of members.
#include "server/decoded_demand.h"

#include <gtest/gtest.h>

#include <thread>
#include <vector>

#include "core/buffer_pool.h"
#include "core/memory_budget.h"

namespace ttycall::server {
namespace {

constexpr size_t kFrameBytes = 4096;
constexpr size_t kMaxFrames = 64;

// A pool as the server makes it: grows only by reserve(), its target the maximum until told.
struct Demand : ::testing::Test {
  core::BufferPool pool{"test.decoded", kFrameBytes, 0, kMaxFrames, /*grow_on_demand=*/false};
  DecodedDemand demand{pool};

  size_t allocated() const { return pool.stats().allocated; }
  size_t target() const { return pool.stats().target; }
};

TEST_F(Demand, NobodyShownKeepsOnlyTheSpareFrames) {
  EXPECT_EQ(demand.shown(), 0u);
  EXPECT_EQ(target(), DecodedDemand::kSpareFrames);
  EXPECT_EQ(allocated(), 0u);  // the spares are a target, made when someone is shown
}

TEST_F(Demand, ThePoolIsReservedForTheShownAndGivenBackAsTheyGo) {
  EXPECT_TRUE(demand.add(3));  // one room shows three
  EXPECT_EQ(demand.shown(), 3u);
  EXPECT_EQ(allocated(), 3 * DecodedDemand::kFramesPerShownMember + DecodedDemand::kSpareFrames);
  EXPECT_EQ(target(), allocated());

  EXPECT_TRUE(demand.add(2));  // another room shows two
  EXPECT_EQ(demand.shown(), 5u);
  EXPECT_EQ(allocated(), DecodedDemand::frames_for(5));

  EXPECT_TRUE(demand.add(0));  // a gallery that swapped one for another: nothing moves
  EXPECT_EQ(allocated(), DecodedDemand::frames_for(5));

  EXPECT_TRUE(demand.add(-3));  // the first room went
  EXPECT_EQ(demand.shown(), 2u);
  EXPECT_EQ(target(), DecodedDemand::frames_for(2));
  EXPECT_EQ(allocated(), DecodedDemand::frames_for(2));  // idle frames are freed at once
}

TEST_F(Demand, NeverGoesBelowZero) {
  EXPECT_TRUE(demand.add(2));
  EXPECT_TRUE(demand.add(-5));
  EXPECT_EQ(demand.shown(), 0u);
  EXPECT_EQ(target(), DecodedDemand::frames_for(0));
  EXPECT_TRUE(demand.add(1));  // and counts up again from zero, not from -3
  EXPECT_EQ(demand.shown(), 1u);
  EXPECT_EQ(allocated(), DecodedDemand::frames_for(1));
}

TEST_F(Demand, FramesStillHeldWhenDemandFallsAreFreedWhenTheyComeBack) {
  EXPECT_TRUE(demand.add(2));
  std::vector<core::PooledBuffer> held;
  for (int i = 0; i < 6; ++i) held.push_back(pool.acquire());
  ASSERT_TRUE(held.back());
  EXPECT_TRUE(demand.add(-2));
  EXPECT_EQ(allocated(), 6u);  // in use: they stay until their holders let go
  held.clear();
  EXPECT_EQ(allocated(), DecodedDemand::frames_for(0));
}

TEST_F(Demand, BytesForARoomAreItsShownMembersFrames) {
  EXPECT_EQ(demand.bytes_for(0), 0u);
  EXPECT_EQ(demand.bytes_for(4), 4 * DecodedDemand::kFramesPerShownMember * kFrameBytes);
}

TEST(DecodedDemandBudget, ARefusedReservationSaysSoAndStillCountsTheShown) {
  // Room for 6 frames (each block also has its header): fewer than 3 shown need.
  core::MemoryBudget budget(6 * (kFrameBytes + 64));
  core::BufferPool pool("test.decoded.budget", kFrameBytes, 0, kMaxFrames, false, &budget);
  DecodedDemand demand(pool);
  EXPECT_TRUE(demand.add(1));
  EXPECT_FALSE(demand.add(2));
  EXPECT_EQ(demand.shown(), 3u);
  EXPECT_EQ(pool.stats().allocated, 6u);
  EXPECT_GT(budget.refusals(), 0u);
  EXPECT_TRUE(demand.add(-3));  // gives back what it had
  EXPECT_EQ(pool.stats().allocated, DecodedDemand::frames_for(0));
}

TEST_F(Demand, RoomsAddingFromSeveralThreadsSumUp) {
  // Compositors tick on the control thread, but rooms die on io threads.
  std::vector<std::thread> rooms;
  for (int r = 0; r < 4; ++r) {
    rooms.emplace_back([this] {
      for (int i = 0; i < 200; ++i) {
        demand.add(2);
        demand.add(-1);
        demand.add(-1);
      }
      demand.add(3);
    });
  }
  for (std::thread& t : rooms) t.join();
  EXPECT_EQ(demand.shown(), 12u);
  EXPECT_EQ(allocated(), DecodedDemand::frames_for(12));
  EXPECT_EQ(target(), DecodedDemand::frames_for(12));
}

}  // namespace
}  // namespace ttycall::server
