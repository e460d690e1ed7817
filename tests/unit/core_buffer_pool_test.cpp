// Specification of core::BufferPool / core::PooledBuffer (src/core/buffer_pool.h).
//
// The heap counters of core/alloc_accounting are live in this binary (the replaced global
// operator new is linked in), so "no heap allocation" is asserted by counting.
#include "core/buffer_pool.h"

#include <gtest/gtest.h>

#include <array>
#include <cstdint>
#include <cstring>
#include <optional>
#include <string_view>
#include <thread>
#include <utility>

#include "core/alloc_accounting.h"

namespace ttycall::core {
namespace {

namespace acct = alloc_accounting;

// The accounting site called `name`, if registered.
std::optional<SiteTotals> find_site(std::string_view name) {
  for (int i = 0; i < acct::site_count(); ++i) {
    SiteTotals s = acct::site(i);
    if (name == s.name) return s;
  }
  return std::nullopt;
}

// The registry's entry for the pool called `name`, if listed.
std::optional<PoolStats> find_in_registry(std::string_view name) {
  std::array<PoolStats, pool_registry::kMaxPools> all;
  const int n = pool_registry::snapshot(all);
  for (int i = 0; i < n; ++i) {
    if (name == all[i].name) return all[i];
  }
  return std::nullopt;
}

// ---- acquiring ----

TEST(CoreBufferPool, AcquireGivesAnEmptyBufferOfThePoolsSize) {
  BufferPool pool("core-test-acquire", 1500, 2, 4);
  PooledBuffer buffer = pool.acquire();

  ASSERT_TRUE(buffer);
  EXPECT_EQ(buffer.capacity(), 1500u);
  EXPECT_EQ(buffer.size(), 0u);
  EXPECT_EQ(buffer.bytes().size(), 0u);
  EXPECT_EQ(buffer.writable().size(), 1500u);
  EXPECT_EQ(buffer.use_count(), 1u);
  EXPECT_EQ(pool.buffer_size(), 1500u);
}

TEST(CoreBufferPool, BufferDataIs64ByteAligned) {
  BufferPool pool("core-test-align", 100, 3, 3);
  std::array<PooledBuffer, 3> held;
  for (PooledBuffer& b : held) {
    b = pool.acquire();
    ASSERT_TRUE(b);
    EXPECT_EQ(reinterpret_cast<uintptr_t>(b.data()) % 64, 0u);
  }
}

TEST(CoreBufferPool, SetSizeIsReflectedInBytesAndTheWholeCapacityIsWritable) {
  BufferPool pool("core-test-fill", 64, 1, 1);
  PooledBuffer buffer = pool.acquire();
  ASSERT_TRUE(buffer);
  std::memset(buffer.writable().data(), 0xAB, buffer.capacity());
  buffer.set_size(10);

  EXPECT_EQ(buffer.size(), 10u);
  ASSERT_EQ(buffer.bytes().size(), 10u);
  EXPECT_EQ(buffer.bytes().data(), buffer.data());
  EXPECT_EQ(buffer.bytes()[9], 0xAB);
  EXPECT_EQ(buffer.data()[63], 0xAB);
}

TEST(CoreBufferPool, ARecycledBufferComesBackWithSizeZero) {
  BufferPool pool("core-test-recycle", 64, 1, 1);
  const uint8_t* first_data = nullptr;
  {
    PooledBuffer buffer = pool.acquire();
    ASSERT_TRUE(buffer);
    buffer.set_size(42);
    first_data = buffer.data();
  }
  PooledBuffer again = pool.acquire();
  ASSERT_TRUE(again);
  EXPECT_EQ(again.data(), first_data) << "a pool of one reuses its one block";
  EXPECT_EQ(again.size(), 0u);
}

TEST(CoreBufferPool, AnEmptyHandleHasNoBuffer) {
  PooledBuffer empty;
  EXPECT_FALSE(empty);
  EXPECT_EQ(empty.data(), nullptr);
  EXPECT_EQ(empty.capacity(), 0u);
  EXPECT_EQ(empty.size(), 0u);
  EXPECT_EQ(empty.use_count(), 0u);
  empty.reset();  // harmless
  EXPECT_FALSE(empty);
}

// ---- sharing and returning ----

TEST(CoreBufferPool, CopiesShareOneBufferAndCountHandles) {
  BufferPool pool("core-test-share", 64, 2, 2);
  PooledBuffer a = pool.acquire();
  ASSERT_TRUE(a);
  a.data()[0] = 7;

  PooledBuffer b = a;  // copy construction
  PooledBuffer c;
  c = b;  // copy assignment
  EXPECT_EQ(a.use_count(), 3u);
  EXPECT_EQ(b.use_count(), 3u);
  EXPECT_EQ(c.data(), a.data());
  EXPECT_EQ(c.data()[0], 7);
  EXPECT_EQ(pool.stats().in_use, 1u) << "three handles, one buffer";

  b.reset();
  EXPECT_FALSE(b);
  EXPECT_EQ(a.use_count(), 2u);
  EXPECT_EQ(pool.stats().in_use, 1u);
}

TEST(CoreBufferPool, TheLastHandleReturnsTheBufferToThePool) {
  BufferPool pool("core-test-return", 64, 2, 2);
  {
    PooledBuffer a = pool.acquire();
    PooledBuffer b = a;
    PooledBuffer other = pool.acquire();
    EXPECT_EQ(pool.stats().in_use, 2u);
    a.reset();
    EXPECT_EQ(pool.stats().in_use, 2u) << "b still holds the first buffer";
    b.reset();
    EXPECT_EQ(pool.stats().in_use, 1u);
  }
  const PoolStats s = pool.stats();
  EXPECT_EQ(s.in_use, 0u);
  EXPECT_EQ(s.allocated, 2u);
}

TEST(CoreBufferPool, CopyAssignmentOverAHeldBufferReleasesTheOldOne) {
  BufferPool pool("core-test-copy-over", 64, 2, 2);
  PooledBuffer a = pool.acquire();
  PooledBuffer b = pool.acquire();
  ASSERT_TRUE(a && b);
  ASSERT_NE(a.data(), b.data());
  EXPECT_EQ(pool.stats().in_use, 2u);

  b = a;
  EXPECT_EQ(b.data(), a.data());
  EXPECT_EQ(a.use_count(), 2u);
  EXPECT_EQ(pool.stats().in_use, 1u);

  PooledBuffer& alias = a;
  a = alias;  // self copy-assignment keeps the handle
  EXPECT_EQ(a.use_count(), 2u);
  EXPECT_EQ(a.data(), b.data());
}

// ---- move semantics ----

TEST(CoreBufferPool, MoveConstructionTransfersTheHandleWithoutTouchingTheCount) {
  BufferPool pool("core-test-move", 64, 2, 2);
  PooledBuffer a = pool.acquire();
  const uint8_t* data = a.data();

  PooledBuffer b = std::move(a);
  EXPECT_FALSE(a);  // NOLINT(bugprone-use-after-move): moved-from is specified empty
  EXPECT_EQ(a.use_count(), 0u);
  EXPECT_TRUE(b);
  EXPECT_EQ(b.data(), data);
  EXPECT_EQ(b.use_count(), 1u);
  EXPECT_EQ(pool.stats().in_use, 1u);
}

TEST(CoreBufferPool, MoveAssignmentReleasesTheTargetsOldBuffer) {
  BufferPool pool("core-test-move-assign", 64, 2, 2);
  PooledBuffer a = pool.acquire();
  PooledBuffer b = pool.acquire();
  const uint8_t* a_data = a.data();
  EXPECT_EQ(pool.stats().in_use, 2u);

  b = std::move(a);
  EXPECT_FALSE(a);  // NOLINT(bugprone-use-after-move)
  EXPECT_EQ(b.data(), a_data);
  EXPECT_EQ(b.use_count(), 1u);
  EXPECT_EQ(pool.stats().in_use, 1u) << "b's old buffer went back to the pool";

  PooledBuffer& alias = b;
  b = std::move(alias);  // self move-assignment keeps the handle
  EXPECT_TRUE(b);
  EXPECT_EQ(b.use_count(), 1u);
  EXPECT_EQ(pool.stats().in_use, 1u);
}

// ---- exhaustion and growth ----

TEST(CoreBufferPool, ExhaustionReturnsAnEmptyHandleAndCountsAMiss) {
  BufferPool pool("core-test-exhaust", 64, 2, 2);
  PooledBuffer a = pool.acquire();
  PooledBuffer b = pool.acquire();
  ASSERT_TRUE(a && b);

  PooledBuffer c = pool.acquire();
  EXPECT_FALSE(c);
  EXPECT_EQ(c.data(), nullptr);
  PoolStats s = pool.stats();
  EXPECT_EQ(s.misses, 1u);
  EXPECT_EQ(s.acquires, 3u) << "a miss is still an acquire attempt";
  EXPECT_EQ(s.in_use, 2u);
  EXPECT_EQ(s.allocated, 2u);

  a.reset();
  PooledBuffer d = pool.acquire();
  EXPECT_TRUE(d) << "a returned buffer can be acquired again";
  EXPECT_EQ(pool.stats().misses, 1u);
}

TEST(CoreBufferPool, GrowsOneBlockAtATimeUpToMaxOnly) {
  BufferPool pool("core-test-grow", 128, 1, 3);
  EXPECT_EQ(pool.stats().allocated, 1u);
  EXPECT_EQ(pool.stats().max_buffers, 3u);

  std::array<PooledBuffer, 4> held;
  held[0] = pool.acquire();
  EXPECT_EQ(pool.stats().allocated, 1u) << "the initial block is used first";
  held[1] = pool.acquire();
  EXPECT_EQ(pool.stats().allocated, 2u);
  held[2] = pool.acquire();
  EXPECT_EQ(pool.stats().allocated, 3u);
  held[3] = pool.acquire();
  EXPECT_FALSE(held[3]);
  EXPECT_EQ(pool.stats().allocated, 3u) << "never beyond max_buffers";
  EXPECT_EQ(pool.stats().misses, 1u);

  for (PooledBuffer& b : held) b.reset();
  EXPECT_EQ(pool.stats().in_use, 0u);
  EXPECT_EQ(pool.stats().allocated, 3u) << "blocks are kept, not freed, until shrink_to";
}

TEST(CoreBufferPool, ShrinkToFreesIdleBlocksNowAndBusyOnesWhenTheyComeBack) {
  BufferPool pool("core-test-shrink", 1024, 0, 8, /*grow_on_demand=*/false);
  ASSERT_TRUE(pool.reserve(6));
  EXPECT_EQ(pool.stats().target, 8u) << "until shrink_to, a pool keeps all it ever made";
  std::array<PooledBuffer, 3> held;
  for (PooledBuffer& b : held) b = pool.acquire();
  const int64_t bytes_before = acct::totals().current_bytes;

  pool.shrink_to(2);  // 3 idle of 6: all 3 go now; of the 3 busy, one more goes on return
  EXPECT_EQ(pool.stats().target, 2u);
  EXPECT_EQ(pool.stats().allocated, 3u);
  EXPECT_EQ(pool.stats().in_use, 3u);
  EXPECT_LT(acct::totals().current_bytes, bytes_before - 3 * 1024);
  held[0].reset();
  EXPECT_EQ(pool.stats().allocated, 2u) << "a block beyond the target is freed on return";
  held[1].reset();
  held[2].reset();
  EXPECT_EQ(pool.stats().allocated, 2u) << "blocks within the target are kept";
  EXPECT_EQ(pool.stats().in_use, 0u);

  // Demand rises again: reserve raises the target and makes what is missing.
  ASSERT_TRUE(pool.reserve(4));
  EXPECT_EQ(pool.stats().target, 4u);
  EXPECT_EQ(pool.stats().allocated, 4u);
  held[0] = pool.acquire();
  held[0].reset();
  EXPECT_EQ(pool.stats().allocated, 4u);
}

TEST(CoreBufferPool, AGrowingPoolShrunkToZeroFreesEachBlockOnReturn) {
  BufferPool pool("core-test-shrink-grow", 256, 0, 4);
  pool.shrink_to(0);
  PooledBuffer a = pool.acquire();
  ASSERT_TRUE(a) << "a target below demand does not stop growth on demand";
  EXPECT_EQ(pool.stats().allocated, 1u);
  a.reset();
  EXPECT_EQ(pool.stats().allocated, 0u);
}

TEST(CoreBufferPool, TheBudgetCapsBlocksAcrossPoolsAndACapMissIsCounted) {
  constexpr size_t kBlock = 4096;
  // Room for three blocks with their headers, in two pools.
  MemoryBudget budget(3 * (kBlock + 64));
  BufferPool a("core-test-budget-a", kBlock, 0, 8, /*grow_on_demand=*/true, &budget);
  BufferPool b("core-test-budget-b", kBlock, 0, 8, /*grow_on_demand=*/false, &budget);
  EXPECT_FALSE(b.reserve(2) && a.reserve(2)) << "four blocks do not fit a budget of three";
  EXPECT_EQ(a.stats().allocated + b.stats().allocated, 3u);
  EXPECT_EQ(budget.used(), 3 * (kBlock + 64));
  EXPECT_GE(budget.refusals(), 1u);

  std::array<PooledBuffer, 4> held;
  for (PooledBuffer& h : held) h = a.acquire();
  const size_t from_a = a.stats().allocated;
  EXPECT_FALSE(held[from_a]) << "the pool may not grow past the budget";
  EXPECT_GE(a.stats().misses, 1u);

  for (PooledBuffer& h : held) h.reset();
  a.shrink_to(0);
  EXPECT_EQ(budget.used(), b.stats().allocated * (kBlock + 64)) << "freed blocks are credited";
  EXPECT_TRUE(a.reserve(1)) << "what was freed can be reserved again";
}

TEST(CoreBufferPool, MaxBelowInitialIsRaisedToInitial) {
  BufferPool pool("core-test-max-low", 64, 4, 2);
  const PoolStats s = pool.stats();
  EXPECT_EQ(s.allocated, 4u);
  EXPECT_EQ(s.max_buffers, 4u);
}

TEST(CoreBufferPool, EachGrowthIsExactlyOneCountedHeapAllocation) {
  BufferPool pool("core-test-grow-count", 256, 0, 2);
  const uint64_t before = acct::totals().allocs;
  PooledBuffer a = pool.acquire();
  const uint64_t after_one = acct::totals().allocs;
  PooledBuffer b = pool.acquire();
  const uint64_t after_two = acct::totals().allocs;
  ASSERT_TRUE(a && b);
  EXPECT_EQ(after_one - before, 1u);
  EXPECT_EQ(after_two - after_one, 1u);
}

TEST(CoreBufferPool, AWarmPoolNeverTouchesTheHeap) {
  BufferPool pool("core-test-warm", 512, 2, 4);
  std::array<PooledBuffer, 5> held;
  // Warm up: grow to max once.
  for (int i = 0; i < 4; ++i) held[i] = pool.acquire();
  for (PooledBuffer& b : held) b.reset();
  ASSERT_EQ(pool.stats().allocated, 4u);

  const HeapTotals before = acct::totals();
  for (int round = 0; round < 200; ++round) {
    for (PooledBuffer& b : held) b = pool.acquire();  // the 5th is a miss
    held[4] = held[0];                                // share a handle
    PooledBuffer moved = std::move(held[1]);
    moved.set_size(17);
    for (PooledBuffer& b : held) b.reset();
  }
  const HeapTotals after = acct::totals();

  EXPECT_EQ(after.allocs, before.allocs) << "acquire/release/miss must not allocate";
  EXPECT_EQ(after.frees, before.frees);
  const PoolStats s = pool.stats();
  EXPECT_EQ(s.in_use, 0u);
  EXPECT_EQ(s.allocated, 4u);
  EXPECT_EQ(s.misses, 200u);
}

// ---- threads ----

TEST(CoreBufferPool, ConcurrentAcquireAndReleaseKeepCountsConsistent) {
  constexpr int kIterations = 20000;
  constexpr size_t kMax = 3;  // two threads holding two each: misses are possible
  BufferPool pool("core-test-threads", 64, 1, kMax);

  struct Result {
    uint64_t got = 0;
    uint64_t missed = 0;
    uint64_t corrupted = 0;
  };
  auto worker = [&pool](uint8_t tag, Result* result) {
    for (int i = 0; i < kIterations; ++i) {
      PooledBuffer first = pool.acquire();
      PooledBuffer second = pool.acquire();
      for (PooledBuffer* b : {&first, &second}) {
        if (!*b) {
          ++result->missed;
          continue;
        }
        ++result->got;
        std::memset(b->data(), tag, b->capacity());  // we hold the only handle
        b->set_size(b->capacity());
      }
      PooledBuffer shared = first;  // a copy released on this thread too
      for (PooledBuffer* b : {&first, &second}) {
        if (*b && (b->data()[0] != tag || b->data()[63] != tag)) ++result->corrupted;
      }
    }
  };
  Result r1, r2;
  std::thread t1(worker, uint8_t{1}, &r1);
  std::thread t2(worker, uint8_t{2}, &r2);
  t1.join();
  t2.join();

  const PoolStats s = pool.stats();
  EXPECT_EQ(s.in_use, 0u) << "every buffer came back";
  EXPECT_LE(s.allocated, kMax);
  EXPECT_EQ(s.acquires, uint64_t(4 * kIterations));
  EXPECT_EQ(s.misses, r1.missed + r2.missed);
  EXPECT_EQ(r1.got + r2.got + r1.missed + r2.missed, uint64_t(4 * kIterations));
  EXPECT_EQ(r1.corrupted + r2.corrupted, 0u) << "a buffer was lent to two holders at once";
}

// ---- registry and accounting ----

TEST(CoreBufferPool, RegistryListsLivePoolsOnly) {
  {
    BufferPool pool("core-test-registry", 333, 2, 5);
    PooledBuffer held = pool.acquire();
    const std::optional<PoolStats> listed = find_in_registry("core-test-registry");
    ASSERT_TRUE(listed.has_value());
    EXPECT_EQ(listed->buffer_size, 333u);
    EXPECT_EQ(listed->allocated, 2u);
    EXPECT_EQ(listed->in_use, 1u);
    EXPECT_EQ(listed->max_buffers, 5u);
    EXPECT_EQ(listed->acquires, 1u);
  }
  EXPECT_FALSE(find_in_registry("core-test-registry").has_value())
      << "a destroyed pool must leave the registry";
}

TEST(CoreBufferPool, SnapshotCopiesNoMoreThanTheSpanHolds) {
  BufferPool p1("core-test-snap-1", 64, 1, 1);
  BufferPool p2("core-test-snap-2", 64, 1, 1);
  std::array<PoolStats, 1> one;
  EXPECT_EQ(pool_registry::snapshot(one), 1);
  EXPECT_EQ(pool_registry::snapshot(std::span<PoolStats>{}), 0);
}

TEST(CoreBufferPool, BlocksAreAttributedToThePoolsSite) {
  constexpr size_t kSize = 1000;
  const std::optional<SiteTotals> earlier = find_site("pool:core-test-site");
  const uint64_t allocs_before = earlier ? earlier->total_allocs : 0;  // for --gtest_repeat
  {
    BufferPool pool("core-test-site", kSize, 3, 5);
    std::optional<SiteTotals> site = find_site("pool:core-test-site");
    ASSERT_TRUE(site.has_value()) << "the pool registers site \"pool:<name>\"";
    EXPECT_EQ(site->live_count, 3);
    EXPECT_GE(site->live_bytes, int64_t(3 * kSize));
    EXPECT_LT(site->live_bytes, int64_t(3 * (kSize + 128))) << "a small header per block";
    EXPECT_EQ(site->total_allocs - allocs_before, 3u);

    std::array<PooledBuffer, 4> held;
    for (PooledBuffer& b : held) b = pool.acquire();  // grows by one
    site = find_site("pool:core-test-site");
    EXPECT_EQ(site->live_count, 4);
    EXPECT_EQ(site->total_allocs - allocs_before, 4u);
  }
  const std::optional<SiteTotals> site = find_site("pool:core-test-site");
  ASSERT_TRUE(site.has_value());
  EXPECT_EQ(site->live_count, 0) << "the pool frees its blocks when it dies";
  EXPECT_EQ(site->live_bytes, 0);
}

TEST(CoreBufferPool, ThePoolSiteDoesNotLeakIntoTheCallersSite) {
  const SiteId before = acct::current_site();
  BufferPool pool("core-test-site-scope", 64, 0, 1);
  PooledBuffer b = pool.acquire();  // allocates a block under the pool's site
  EXPECT_EQ(acct::current_site(), before);
}

}  // namespace
}  // namespace ttycall::core
