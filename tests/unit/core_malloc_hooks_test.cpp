// Specification of the interposed malloc family (src/core/malloc_hooks.cpp): what a C
// library allocates through malloc is counted like operator new, by exact size, under the
// thread's site or "malloc (unattributed)". Sanitizer builds leave malloc to the sanitizer,
// so these tests skip there.
//
// As in core_alloc_accounting_test.cpp, nothing but the operation under test runs between
// two snapshots of the counters.
#include <gtest/gtest.h>
#include <malloc.h>

#include <cstdint>
#include <cstdlib>
#include <cstring>

#include "core/alloc_accounting.h"

extern "C" void* __libc_malloc(size_t bytes);

namespace ttycall::core {
namespace {

namespace acct = alloc_accounting;

// Through volatile pointers, so the compiler can neither elide nor inline the calls.
void* (*volatile c_malloc)(size_t) = std::malloc;
void* (*volatile c_calloc)(size_t, size_t) = std::calloc;
void* (*volatile c_realloc)(void*, size_t) = std::realloc;
void (*volatile c_free)(void*) = std::free;
char* (*volatile c_strdup)(const char*) = strdup;

int64_t allocs(const HeapTotals& a, const HeapTotals& b) {
  return int64_t(b.allocs - a.allocs);
}
int64_t frees(const HeapTotals& a, const HeapTotals& b) {
  return int64_t(b.frees - a.frees);
}
int64_t bytes(const HeapTotals& a, const HeapTotals& b) {
  return int64_t(b.bytes_allocated - a.bytes_allocated);
}
int64_t current(const HeapTotals& a, const HeapTotals& b) {
  return b.current_bytes - a.current_bytes;
}

class CoreMallocHooks : public ::testing::Test {
 protected:
  void SetUp() override {
    if (!kCountsMallocFamily) GTEST_SKIP() << "a sanitizer owns malloc in this build";
  }
};

TEST_F(CoreMallocHooks, AMallocInsideACLibraryIsCountedByExactSize) {
  static const char kText[] = "counted by the interposed malloc";
  const HeapTotals t0 = acct::totals();
  const SiteTotals s0 = acct::site(kMallocSite);
  char* copy = c_strdup(kText);  // glibc allocates it, through our malloc
  const HeapTotals t1 = acct::totals();
  const SiteTotals s1 = acct::site(kMallocSite);
  c_free(copy);
  const HeapTotals t2 = acct::totals();

  ASSERT_NE(copy, nullptr);
  EXPECT_EQ(allocs(t0, t1), 1);
  EXPECT_EQ(bytes(t0, t1), int64_t(sizeof kText));
  EXPECT_EQ(s1.total_allocs - s0.total_allocs, 1u);
  EXPECT_EQ(s1.live_bytes - s0.live_bytes, int64_t(sizeof kText));
  EXPECT_EQ(frees(t1, t2), 1);
  EXPECT_EQ(current(t0, t2), 0);
  EXPECT_STREQ(acct::site(kMallocSite).name, "malloc (unattributed)");
}

TEST_F(CoreMallocHooks, MallocCallocAndFreeAreCounted) {
  const HeapTotals t0 = acct::totals();
  void* m = c_malloc(1000);
  const HeapTotals t1 = acct::totals();
  auto* z = static_cast<unsigned char*>(c_calloc(10, 30));
  const HeapTotals t2 = acct::totals();
  bool zeroed = true;
  for (int i = 0; i < 300; ++i) zeroed = zeroed && z[i] == 0;
  c_free(m);
  c_free(z);
  const HeapTotals t3 = acct::totals();

  EXPECT_EQ(allocs(t0, t1), 1);
  EXPECT_EQ(bytes(t0, t1), 1000);
  EXPECT_EQ(allocs(t1, t2), 1);
  EXPECT_EQ(bytes(t1, t2), 300);
  EXPECT_TRUE(zeroed);
  EXPECT_EQ(reinterpret_cast<uintptr_t>(m) % 16, 0u);
  EXPECT_EQ(frees(t2, t3), 2);
  EXPECT_EQ(current(t0, t3), 0);
}

TEST_F(CoreMallocHooks, CallocRefusesAnOverflowingSize) {
  const HeapTotals t0 = acct::totals();
  void* p = c_calloc(SIZE_MAX / 2, 3);
  const HeapTotals t1 = acct::totals();
  EXPECT_EQ(p, nullptr);
  EXPECT_EQ(allocs(t0, t1), 0);
}

TEST_F(CoreMallocHooks, ReallocKeepsTheBytesAndCountsTheNewSize) {
  auto* p = static_cast<char*>(c_malloc(16));
  std::memcpy(p, "fifteen bytes..", 16);
  const HeapTotals t0 = acct::totals();
  auto* q = static_cast<char*>(c_realloc(p, 100000));
  const HeapTotals t1 = acct::totals();
  const bool kept = std::memcmp(q, "fifteen bytes..", 16) == 0;
  void* r = c_realloc(q, 0);  // glibc's contract: frees, returns null
  const HeapTotals t2 = acct::totals();

  EXPECT_TRUE(kept);
  EXPECT_EQ(allocs(t0, t1), 1) << "a realloc is a new allocation";
  EXPECT_EQ(frees(t0, t1), 1);
  EXPECT_EQ(current(t0, t1), 100000 - 16);
  EXPECT_EQ(r, nullptr);
  EXPECT_EQ(frees(t1, t2), 1);
  EXPECT_EQ(current(t1, t2), -100000);
}

TEST_F(CoreMallocHooks, AlignedFormsAreAlignedAndCounted) {
  const HeapTotals t0 = acct::totals();
  void* a = nullptr;
  const int rc = posix_memalign(&a, 256, 1000);
  void* b = aligned_alloc(4096, 8192);
  void* c = memalign(64, 10);
  const HeapTotals t1 = acct::totals();
  const size_t usable = malloc_usable_size(a);
  std::memset(b, 0x5A, 8192);
  c_free(a);
  c_free(b);
  c_free(c);
  const HeapTotals t2 = acct::totals();

  EXPECT_EQ(rc, 0);
  EXPECT_EQ(reinterpret_cast<uintptr_t>(a) % 256, 0u);
  EXPECT_EQ(reinterpret_cast<uintptr_t>(b) % 4096, 0u);
  EXPECT_EQ(reinterpret_cast<uintptr_t>(c) % 64, 0u);
  EXPECT_GE(usable, 1000u);
  EXPECT_EQ(allocs(t0, t1), 3);
  EXPECT_EQ(bytes(t0, t1), 1000 + 8192 + 10);
  EXPECT_EQ(frees(t1, t2), 3);
  EXPECT_EQ(current(t0, t2), 0);
  void* bad = nullptr;
  EXPECT_EQ(posix_memalign(&bad, 24, 8), EINVAL);
}

TEST_F(CoreMallocHooks, AMallocInsideAScopeGoesToThatSite) {
  static const AllocSite site("core-test.c-library");
  const SiteTotals s0 = acct::site(site.id());
  void* p = nullptr;
  {
    ScopedAllocSite scope(site);
    p = c_malloc(321);
  }
  const SiteTotals s1 = acct::site(site.id());
  c_free(p);  // outside the scope: still charged back to its own site
  const SiteTotals s2 = acct::site(site.id());

  EXPECT_EQ(s1.total_allocs - s0.total_allocs, 1u);
  EXPECT_EQ(s1.live_bytes - s0.live_bytes, 321);
  EXPECT_EQ(s2.live_bytes, s0.live_bytes);
}

TEST_F(CoreMallocHooks, ABlockGlibcMadeWithoutUsIsFreedUncounted) {
  void* foreign = __libc_malloc(64);
  const HeapTotals t0 = acct::totals();
  c_free(foreign);
  const HeapTotals t1 = acct::totals();
  EXPECT_EQ(frees(t0, t1), 0);
  EXPECT_EQ(current(t0, t1), 0);
}

}  // namespace
}  // namespace ttycall::core
