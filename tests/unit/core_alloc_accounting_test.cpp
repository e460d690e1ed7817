// Specification of the process-wide heap accounting (src/core/alloc_accounting.h) and the
// replaced global operator new/delete that feeds it (src/core/alloc_hooks.cpp).
//
// The counters are process-global and gtest allocates too, so every measurement below takes
// both snapshots with nothing but the operation under test between them (no assertions).
#include "core/alloc_accounting.h"

#include <gtest/gtest.h>

#include <cstdint>
#include <cstring>
#include <new>
#include <string>
#include <string_view>

namespace ttycall::core {
namespace {

namespace acct = alloc_accounting;

// Keeps the optimizer from proving a pointer unused and eliding its allocation.
void escape(const void* p) {
  asm volatile("" : : "g"(p) : "memory");
}

struct Change {
  int64_t allocs, frees, bytes_allocated, bytes_freed, current;
};
Change change(const HeapTotals& a, const HeapTotals& b) {
  return {int64_t(b.allocs - a.allocs), int64_t(b.frees - a.frees),
          int64_t(b.bytes_allocated - a.bytes_allocated), int64_t(b.bytes_freed - a.bytes_freed),
          b.current_bytes - a.current_bytes};
}

// ---- the global operators move the counters by exactly the sizes ----

TEST(CoreAllocAccounting, PlainNewAndDeleteAreCountedByExactSize) {
  const HeapTotals t0 = acct::totals();
  void* p = ::operator new(1000);
  escape(p);
  const HeapTotals t1 = acct::totals();
  ::operator delete(p);
  const HeapTotals t2 = acct::totals();

  const Change up = change(t0, t1);
  EXPECT_EQ(up.allocs, 1);
  EXPECT_EQ(up.frees, 0);
  EXPECT_EQ(up.bytes_allocated, 1000);
  EXPECT_EQ(up.current, 1000);
  const Change down = change(t1, t2);
  EXPECT_EQ(down.allocs, 0);
  EXPECT_EQ(down.frees, 1);
  EXPECT_EQ(down.bytes_freed, 1000);
  EXPECT_EQ(down.current, -1000);
}

TEST(CoreAllocAccounting, NewExpressionsAndSizedDeleteAreCounted) {
  const HeapTotals t0 = acct::totals();
  auto* value = new uint64_t(42);
  escape(value);
  const HeapTotals t1 = acct::totals();
  delete value;  // sized delete
  const HeapTotals t2 = acct::totals();

  EXPECT_EQ(change(t0, t1).allocs, 1);
  EXPECT_EQ(change(t0, t1).bytes_allocated, int64_t(sizeof(uint64_t)));
  EXPECT_EQ(change(t1, t2).frees, 1);
  EXPECT_EQ(change(t1, t2).bytes_freed, int64_t(sizeof(uint64_t)));
}

TEST(CoreAllocAccounting, ArrayNewAndDeleteAreCountedByExactSize) {
  const HeapTotals t0 = acct::totals();
  char* chars = new char[37];  // trivially destructible: no array cookie
  escape(chars);
  const HeapTotals t1 = acct::totals();
  delete[] chars;
  const HeapTotals t2 = acct::totals();
  void* raw = ::operator new[](300);
  escape(raw);
  const HeapTotals t3 = acct::totals();
  ::operator delete[](raw);
  const HeapTotals t4 = acct::totals();

  EXPECT_EQ(change(t0, t1).allocs, 1);
  EXPECT_EQ(change(t0, t1).bytes_allocated, 37);
  EXPECT_EQ(change(t1, t2).frees, 1);
  EXPECT_EQ(change(t1, t2).bytes_freed, 37);
  EXPECT_EQ(change(t2, t3).bytes_allocated, 300);
  EXPECT_EQ(change(t3, t4).bytes_freed, 300);
  EXPECT_EQ(change(t0, t4).current, 0);
}

TEST(CoreAllocAccounting, NothrowNewIsCounted) {
  const HeapTotals t0 = acct::totals();
  void* p = ::operator new(77, std::nothrow);
  escape(p);
  const HeapTotals t1 = acct::totals();
  ::operator delete(p, std::nothrow);
  const HeapTotals t2 = acct::totals();

  ASSERT_NE(p, nullptr);
  EXPECT_EQ(change(t0, t1).allocs, 1);
  EXPECT_EQ(change(t0, t1).bytes_allocated, 77);
  EXPECT_EQ(change(t1, t2).bytes_freed, 77);
}

TEST(CoreAllocAccounting, ZeroByteNewIsAnAllocationOfZeroBytes) {
  const HeapTotals t0 = acct::totals();
  void* p = ::operator new(0);
  escape(p);
  const HeapTotals t1 = acct::totals();
  ::operator delete(p);
  const HeapTotals t2 = acct::totals();

  EXPECT_NE(p, nullptr);
  EXPECT_EQ(change(t0, t1).allocs, 1);
  EXPECT_EQ(change(t0, t1).bytes_allocated, 0);
  EXPECT_EQ(change(t1, t2).frees, 1);
}

class CoreAllocAccountingAligned : public ::testing::TestWithParam<size_t> {};

TEST_P(CoreAllocAccountingAligned, AlignedNewIsAlignedAndCountedByExactSize) {
  const size_t alignment = GetParam();
  const std::align_val_t al{alignment};
  for (size_t bytes : {size_t(1), size_t(100), size_t(4096)}) {
    const HeapTotals t0 = acct::totals();
    void* p = ::operator new(bytes, al);
    escape(p);
    const HeapTotals t1 = acct::totals();
    const uintptr_t p_address = reinterpret_cast<uintptr_t>(p);
    std::memset(p, 0x5A, bytes);  // the whole block is usable
    ::operator delete(p, al);
    const HeapTotals t2 = acct::totals();
    void* a = ::operator new[](bytes, al);
    escape(a);
    const HeapTotals t3 = acct::totals();
    const uintptr_t a_address = reinterpret_cast<uintptr_t>(a);
    ::operator delete[](a, bytes, al);
    const HeapTotals t4 = acct::totals();

    EXPECT_EQ(p_address % alignment, 0u) << bytes << " bytes";
    EXPECT_EQ(a_address % alignment, 0u) << bytes << " bytes";
    EXPECT_EQ(change(t0, t1).allocs, 1);
    EXPECT_EQ(change(t0, t1).bytes_allocated, int64_t(bytes));
    EXPECT_EQ(change(t1, t2).frees, 1);
    EXPECT_EQ(change(t1, t2).bytes_freed, int64_t(bytes));
    EXPECT_EQ(change(t2, t3).bytes_allocated, int64_t(bytes));
    EXPECT_EQ(change(t3, t4).bytes_freed, int64_t(bytes));
    EXPECT_EQ(change(t0, t4).current, 0);
  }
}

INSTANTIATE_TEST_SUITE_P(CoreAlignments, CoreAllocAccountingAligned,
                         ::testing::Values(size_t{64}, size_t{256}));

TEST(CoreAllocAccounting, OverAlignedTypesGoThroughAlignedNew) {
  struct alignas(128) Wide {
    char bytes[128];
  };
  const HeapTotals t0 = acct::totals();
  Wide* w = new Wide;
  escape(w);
  const HeapTotals t1 = acct::totals();
  const uintptr_t address = reinterpret_cast<uintptr_t>(w);
  delete w;
  const HeapTotals t2 = acct::totals();

  EXPECT_EQ(address % 128, 0u);
  EXPECT_EQ(change(t0, t1).bytes_allocated, int64_t(sizeof(Wide)));
  EXPECT_EQ(change(t1, t2).bytes_freed, int64_t(sizeof(Wide)));
}

TEST(CoreAllocAccounting, PeakIsAtLeastCurrentAndSurvivesAFree) {
  constexpr size_t kBig = 8u << 20;
  const HeapTotals t0 = acct::totals();
  void* p = ::operator new(kBig);
  escape(p);
  const HeapTotals t1 = acct::totals();
  ::operator delete(p);
  const HeapTotals t2 = acct::totals();

  EXPECT_GE(t0.peak_bytes, t0.current_bytes);
  EXPECT_GE(t1.peak_bytes, t1.current_bytes);
  EXPECT_GE(t1.peak_bytes, t0.current_bytes + int64_t(kBig));
  EXPECT_GE(t2.peak_bytes, t2.current_bytes);
  EXPECT_EQ(t2.peak_bytes, t1.peak_bytes) << "freeing never lowers the peak";
  EXPECT_EQ(t2.current_bytes, t1.current_bytes - int64_t(kBig));
}

TEST(CoreAllocAccounting, TotalsAreInternallyConsistent) {
  std::string keep(1000, 'x');  // something live
  const HeapTotals t = acct::totals();
  EXPECT_GE(t.allocs, t.frees);
  EXPECT_GE(t.bytes_allocated, t.bytes_freed);
  EXPECT_EQ(t.current_bytes, int64_t(t.bytes_allocated - t.bytes_freed));
  EXPECT_GE(t.peak_bytes, t.current_bytes);
  EXPECT_GE(t.current_bytes, int64_t(keep.capacity()));
}

// ---- sites ----

std::string_view site_name(SiteId id) {
  return acct::site(id).name;
}

TEST(CoreAllocAccounting, SiteZeroIsTheUnattributedHeap) {
  EXPECT_GE(acct::site_count(), 1);
  EXPECT_EQ(site_name(0), "heap (unattributed)");
  EXPECT_EQ(acct::current_site(), 0) << "a test body runs without a site";
}

TEST(CoreAllocAccounting, RegisteringTheSameNameTwiceGivesTheSameId) {
  static const AllocSite first("core-test.same-name");
  const int count_after_first = acct::site_count();
  const AllocSite second("core-test.same-name");
  const int count_after_second = acct::site_count();
  const AllocSite other("core-test.other-name");

  EXPECT_EQ(first.id(), second.id());
  EXPECT_EQ(count_after_second, count_after_first) << "a known name adds no site";
  EXPECT_NE(other.id(), first.id());
  EXPECT_NE(first.id(), 0);
  EXPECT_LT(int(other.id()), acct::site_count());
  EXPECT_EQ(site_name(first.id()), "core-test.same-name");
  EXPECT_EQ(site_name(other.id()), "core-test.other-name");
}

TEST(CoreAllocAccounting, ASiteRemembersWhereItWasDeclared) {
  const uint32_t line = __LINE__ + 1;
  static const AllocSite site("core-test.where");
  const SiteTotals s = acct::site(site.id());
  EXPECT_EQ(s.line, line);
  EXPECT_NE(std::string_view(s.file).find("core_alloc_accounting_test.cpp"), std::string_view::npos)
      << s.file;
}

TEST(CoreAllocAccounting, OutOfRangeSiteIndexGivesEmptyTotals) {
  for (int index : {-1, acct::site_count(), kMaxAllocSites + 5}) {
    const SiteTotals s = acct::site(index);
    EXPECT_STREQ(s.name, "") << index;
    EXPECT_EQ(s.total_allocs, 0u);
    EXPECT_EQ(s.live_count, 0);
    EXPECT_EQ(s.live_bytes, 0);
  }
}

TEST(CoreAllocAccounting, ScopedSiteAttributesAllocationsToTheNamedSite) {
  static const AllocSite site("core-test.scoped");
  const SiteTotals s0 = acct::site(site.id());
  const SiteTotals unattributed0 = acct::site(0);
  void* p = nullptr;
  {
    ScopedAllocSite scope(site);
    p = ::operator new(48);
    escape(p);
  }
  const SiteTotals s1 = acct::site(site.id());
  const SiteTotals unattributed1 = acct::site(0);
  ::operator delete(p);  // freed outside the scope: still charged back to its own site
  const SiteTotals s2 = acct::site(site.id());

  EXPECT_EQ(s1.total_allocs - s0.total_allocs, 1u);
  EXPECT_EQ(s1.live_count - s0.live_count, 1);
  EXPECT_EQ(s1.live_bytes - s0.live_bytes, 48);
  EXPECT_EQ(unattributed1.total_allocs, unattributed0.total_allocs)
      << "nothing went to the unattributed site";
  EXPECT_EQ(s2.live_count, s0.live_count);
  EXPECT_EQ(s2.live_bytes, s0.live_bytes);
  EXPECT_EQ(s2.total_allocs, s1.total_allocs) << "total_allocs counts allocations ever made";
}

TEST(CoreAllocAccounting, ScopedSitesNestAndRestoreThePreviousSite) {
  static const AllocSite outer("core-test.outer");
  static const AllocSite inner("core-test.inner");
  const SiteId start = acct::current_site();
  SiteId in_outer = 0, in_inner = 0, back_in_outer = 0;
  {
    ScopedAllocSite a(outer);
    in_outer = acct::current_site();
    {
      ScopedAllocSite b(inner);
      in_inner = acct::current_site();
    }
    back_in_outer = acct::current_site();
  }
  EXPECT_EQ(in_outer, outer.id());
  EXPECT_EQ(in_inner, inner.id());
  EXPECT_EQ(back_in_outer, outer.id());
  EXPECT_EQ(acct::current_site(), start);
}

TEST(CoreAllocAccounting, NestedScopesChargeTheInnermostSite) {
  static const AllocSite outer("core-test.nest-outer");
  static const AllocSite inner("core-test.nest-inner");
  const SiteTotals o0 = acct::site(outer.id());
  const SiteTotals i0 = acct::site(inner.id());
  void* in_outer = nullptr;
  void* in_inner = nullptr;
  {
    ScopedAllocSite a(outer);
    {
      ScopedAllocSite b(inner);
      in_inner = ::operator new(24);
      escape(in_inner);
    }
    in_outer = ::operator new(40);
    escape(in_outer);
  }
  const SiteTotals o1 = acct::site(outer.id());
  const SiteTotals i1 = acct::site(inner.id());
  ::operator delete(in_inner);
  ::operator delete(in_outer);

  EXPECT_EQ(o1.live_bytes - o0.live_bytes, 40);
  EXPECT_EQ(i1.live_bytes - i0.live_bytes, 24);
  EXPECT_EQ(o1.total_allocs - o0.total_allocs, 1u);
  EXPECT_EQ(i1.total_allocs - i0.total_allocs, 1u);
}

TEST(CoreAllocAccounting, SetCurrentSiteIsPerThreadState) {
  static const AllocSite site("core-test.set-current");
  const SiteId start = acct::current_site();
  acct::set_current_site(site.id());
  const SiteId now = acct::current_site();
  acct::set_current_site(start);
  EXPECT_EQ(now, site.id());
  EXPECT_EQ(acct::current_site(), start);
}

// ---- tracked_malloc / tracked_free (C libraries' allocator hooks) ----

TEST(CoreAllocAccounting, TrackedMallocIsCountedUnderItsSite) {
  static const AllocSite site("core-test.tracked");
  const HeapTotals t0 = acct::totals();
  const SiteTotals s0 = acct::site(site.id());
  void* p = tracked_malloc(5000, site.id());
  escape(p);
  const HeapTotals t1 = acct::totals();
  const SiteTotals s1 = acct::site(site.id());
  std::memset(p, 0xEE, 5000);
  tracked_free(p);
  const HeapTotals t2 = acct::totals();
  const SiteTotals s2 = acct::site(site.id());

  ASSERT_NE(p, nullptr);
  EXPECT_EQ(reinterpret_cast<uintptr_t>(p) % 16, 0u);
  EXPECT_EQ(change(t0, t1).allocs, 1);
  EXPECT_EQ(change(t0, t1).bytes_allocated, 5000);
  EXPECT_EQ(change(t0, t1).current, 5000);
  EXPECT_EQ(s1.live_count - s0.live_count, 1);
  EXPECT_EQ(s1.live_bytes - s0.live_bytes, 5000);
  EXPECT_EQ(change(t1, t2).frees, 1);
  EXPECT_EQ(change(t1, t2).bytes_freed, 5000);
  EXPECT_EQ(s2.live_count, s0.live_count);
  EXPECT_EQ(s2.live_bytes, s0.live_bytes);
}

TEST(CoreAllocAccounting, TrackedMallocIgnoresTheThreadsCurrentSite) {
  static const AllocSite scoped("core-test.tracked-scope");
  static const AllocSite target("core-test.tracked-target");
  const SiteTotals scoped0 = acct::site(scoped.id());
  const SiteTotals target0 = acct::site(target.id());
  void* p = nullptr;
  {
    ScopedAllocSite scope(scoped);
    p = tracked_malloc(64, target.id());
    escape(p);
  }
  const SiteTotals scoped1 = acct::site(scoped.id());
  const SiteTotals target1 = acct::site(target.id());
  tracked_free(p);

  EXPECT_EQ(scoped1.total_allocs, scoped0.total_allocs);
  EXPECT_EQ(target1.total_allocs - target0.total_allocs, 1u);
}

TEST(CoreAllocAccounting, TrackedFreeOfNullIsANoOp) {
  const HeapTotals t0 = acct::totals();
  tracked_free(nullptr);
  const HeapTotals t1 = acct::totals();
  EXPECT_EQ(t1.frees, t0.frees);
}

TEST(CoreAllocAccounting, RecordAllocAndFreeMoveTotalsAndSite) {
  static const AllocSite site("core-test.record");
  const HeapTotals t0 = acct::totals();
  const SiteTotals s0 = acct::site(site.id());
  acct::record_alloc(123, site.id());
  const HeapTotals t1 = acct::totals();
  const SiteTotals s1 = acct::site(site.id());
  acct::record_free(123, site.id());
  const HeapTotals t2 = acct::totals();
  const SiteTotals s2 = acct::site(site.id());

  EXPECT_EQ(change(t0, t1).allocs, 1);
  EXPECT_EQ(change(t0, t1).bytes_allocated, 123);
  EXPECT_EQ(s1.live_bytes - s0.live_bytes, 123);
  EXPECT_EQ(change(t1, t2).bytes_freed, 123);
  EXPECT_EQ(s2.live_bytes, s0.live_bytes);
}

}  // namespace
}  // namespace ttycall::core
