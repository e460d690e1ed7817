// Specification of core::HandlerMemory / core::HandlerAllocator (src/core/handler_memory.h):
// fixed slots for asynchronous handlers, with a counted operator-new fallback.
#include "core/handler_memory.h"

#include <gtest/gtest.h>

#include <array>
#include <cstdint>
#include <cstring>
#include <memory>
#include <set>
#include <thread>
#include <vector>

#include "core/alloc_accounting.h"

namespace ttycall::core {
namespace {

namespace acct = alloc_accounting;

void escape(const void* p) {
  asm volatile("" : : "g"(p) : "memory");
}

constexpr size_t kSlots = HandlerMemory::kSlots;
constexpr size_t kSlotBytes = HandlerMemory::kSlotBytes;

// Whether `p` points into the HandlerMemory object itself (one of its slots).
bool inside(const HandlerMemory& memory, const void* p) {
  const auto* begin = reinterpret_cast<const unsigned char*>(&memory);
  const auto* q = static_cast<const unsigned char*>(p);
  return q >= begin && q < begin + sizeof(HandlerMemory);
}

TEST(CoreHandlerMemory, SmallAllocationsUseSlotsWithoutTheHeap) {
  auto memory = std::make_unique<HandlerMemory>();
  std::array<void*, kSlots> p{};
  const HeapTotals before = acct::totals();
  for (size_t i = 0; i < kSlots; ++i) p[i] = memory->allocate(i == 0 ? 1 : 64 * i);
  const HeapTotals after_allocate = acct::totals();
  for (void* q : p) memory->deallocate(q);
  const HeapTotals after_free = acct::totals();

  EXPECT_EQ(after_allocate.allocs, before.allocs);
  EXPECT_EQ(after_free.frees, before.frees);
  const std::set<void*> distinct(p.begin(), p.end());
  EXPECT_EQ(distinct.size(), kSlots) << "every live allocation has its own slot";
  for (void* q : p) {
    EXPECT_TRUE(inside(*memory, q));
    EXPECT_EQ(reinterpret_cast<uintptr_t>(q) % alignof(std::max_align_t), 0u);
  }
}

TEST(CoreHandlerMemory, ASlotHoldsExactlyKSlotBytes) {
  auto memory = std::make_unique<HandlerMemory>();
  const HeapTotals before = acct::totals();
  void* p = memory->allocate(kSlotBytes);
  const HeapTotals after = acct::totals();

  EXPECT_TRUE(inside(*memory, p));
  EXPECT_EQ(after.allocs, before.allocs);
  std::memset(p, 0xCD, kSlotBytes);  // the whole slot is usable
  memory->deallocate(p);
}

TEST(CoreHandlerMemory, TooLargeFallsBackToCountedOperatorNew) {
  auto memory = std::make_unique<HandlerMemory>();
  const HeapTotals t0 = acct::totals();
  void* p = memory->allocate(kSlotBytes + 1);
  escape(p);
  const HeapTotals t1 = acct::totals();
  memory->deallocate(p);
  const HeapTotals t2 = acct::totals();

  EXPECT_FALSE(inside(*memory, p));
  EXPECT_EQ(t1.allocs - t0.allocs, 1u);
  EXPECT_EQ(t1.bytes_allocated - t0.bytes_allocated, kSlotBytes + 1);
  EXPECT_EQ(t2.frees - t1.frees, 1u);
  EXPECT_EQ(t2.bytes_freed - t1.bytes_freed, kSlotBytes + 1);

  // A too-large request does not take a slot: all slots are still free.
  std::array<void*, kSlots> slots{};
  const HeapTotals t3 = acct::totals();
  for (void*& q : slots) q = memory->allocate(16);
  const HeapTotals t4 = acct::totals();
  for (void* q : slots) memory->deallocate(q);
  EXPECT_EQ(t4.allocs, t3.allocs);
}

TEST(CoreHandlerMemory, WhenEverySlotIsTakenItFallsBackToCountedOperatorNew) {
  auto memory = std::make_unique<HandlerMemory>();
  std::array<void*, kSlots> slots{};
  for (void*& q : slots) q = memory->allocate(100);

  const HeapTotals t0 = acct::totals();
  void* extra = memory->allocate(100);
  escape(extra);
  const HeapTotals t1 = acct::totals();
  memory->deallocate(extra);
  const HeapTotals t2 = acct::totals();
  for (void* q : slots) memory->deallocate(q);

  EXPECT_FALSE(inside(*memory, extra));
  EXPECT_EQ(t1.allocs - t0.allocs, 1u);
  EXPECT_EQ(t1.bytes_allocated - t0.bytes_allocated, 100u);
  EXPECT_EQ(t2.frees - t1.frees, 1u) << "a fallback block goes back to operator delete";
}

TEST(CoreHandlerMemory, DeallocateReturnsTheSlotForReuse) {
  auto memory = std::make_unique<HandlerMemory>();
  std::array<void*, kSlots> slots{};
  for (void*& q : slots) q = memory->allocate(200);
  void* const freed = slots[3];
  memory->deallocate(freed);

  const HeapTotals before = acct::totals();
  void* again = memory->allocate(300);
  const HeapTotals after = acct::totals();

  EXPECT_EQ(again, freed) << "the only free slot is handed out again";
  EXPECT_EQ(after.allocs, before.allocs);
  slots[3] = again;
  for (void* q : slots) memory->deallocate(q);
}

TEST(CoreHandlerMemory, ASteadyStreamOfOperationsNeverTouchesTheHeap) {
  auto memory = std::make_unique<HandlerMemory>();
  const HeapTotals before = acct::totals();
  for (int i = 0; i < 10000; ++i) {
    void* read = memory->allocate(256);
    void* write = memory->allocate(512);
    void* timer = memory->allocate(128);
    memory->deallocate(write);
    memory->deallocate(read);
    memory->deallocate(timer);
  }
  const HeapTotals after = acct::totals();
  EXPECT_EQ(after.allocs, before.allocs);
}

TEST(CoreHandlerMemory, ASlotMayBeFreedOnAnotherThread) {
  auto memory = std::make_unique<HandlerMemory>();
  std::array<void*, kSlots> slots{};
  for (void*& q : slots) q = memory->allocate(64);
  void* const moved_away = slots[5];
  std::thread other([&memory, moved_away] { memory->deallocate(moved_away); });
  other.join();

  void* again = memory->allocate(64);
  EXPECT_EQ(again, moved_away);
  slots[5] = again;
  for (void* q : slots) memory->deallocate(q);
}

TEST(CoreHandlerMemory, AllocatorRoutesThroughTheSlots) {
  auto memory = std::make_unique<HandlerMemory>();
  HandlerAllocator<int> ints(*memory);
  HandlerAllocator<double> doubles(ints);  // rebinding keeps the memory

  const HeapTotals before = acct::totals();
  int* a = ints.allocate(16);
  double* b = doubles.allocate(8);
  const HeapTotals after = acct::totals();
  ints.deallocate(a, 16);
  doubles.deallocate(b, 8);

  EXPECT_TRUE(inside(*memory, a));
  EXPECT_TRUE(inside(*memory, b));
  EXPECT_EQ(after.allocs, before.allocs);
}

TEST(CoreHandlerMemory, AllocatorsCompareEqualWhenTheyShareMemory) {
  auto one = std::make_unique<HandlerMemory>();
  auto two = std::make_unique<HandlerMemory>();
  HandlerAllocator<int> a(*one);
  HandlerAllocator<char> b(*one);
  HandlerAllocator<int> c(*two);
  EXPECT_TRUE(a == b);
  EXPECT_FALSE(a == c);
}

TEST(CoreHandlerMemory, AllocatorWorksWithStandardContainers) {
  auto memory = std::make_unique<HandlerMemory>();
  const HeapTotals before = acct::totals();
  uint64_t sum = 0;
  {
    std::vector<int, HandlerAllocator<int>> v{HandlerAllocator<int>{*memory}};
    v.reserve(64);  // 256 bytes: one slot
    for (int i = 1; i <= 64; ++i) v.push_back(i);
    for (int x : v) sum += uint64_t(x);
  }
  const HeapTotals after = acct::totals();
  EXPECT_EQ(sum, 64u * 65u / 2u);
  EXPECT_EQ(after.allocs, before.allocs);
}

}  // namespace
}  // namespace ttycall::core
