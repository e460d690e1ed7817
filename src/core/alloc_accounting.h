#pragma once
// Process-wide heap accounting: every allocation path of the process feeds these counters.
//
//  - the replaced global operator new/delete (core/alloc_hooks.cpp),
//  - the interposed malloc family (core/malloc_hooks.cpp), which every C library calls,
//  - C libraries' custom-allocator hooks, where one is wanted, via tracked_malloc/free,
//  - buffer pools, which allocate their blocks under their own site.
//
// Each allocation is attributed to a *site*: a name (and file:line where it was declared).
// A thread sets its current site with ScopedAllocSite; allocations made without one go to
// site 0, "heap (unattributed)", or for the malloc family to site 1, "malloc
// (unattributed)", so the report tells C libraries from C++. Counting is a handful of relaxed
// atomic adds, cheap enough to stay on in release builds. These counters are the only global
// mutable state ttycall has.
#include <cstddef>
#include <cstdint>
#include <source_location>

namespace ttycall::core {

using SiteId = uint16_t;
constexpr int kMaxAllocSites = 128;
constexpr int kMaxSiteNameBytes = 48;
constexpr SiteId kUnattributedSite = 0;
constexpr SiteId kMallocSite = 1;

// Sanitizers interpose the malloc family themselves (to add redzones and see leaks), so a
// sanitizer build leaves it to them: there only operator new and tracked_malloc are counted.
#if defined(TTYCALL_SANITIZED) || defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_THREAD__)
#define TTYCALL_COUNTS_MALLOC_FAMILY 0
#elif defined(__has_feature)
#if __has_feature(address_sanitizer) || __has_feature(thread_sanitizer) || \
    __has_feature(memory_sanitizer)
#define TTYCALL_COUNTS_MALLOC_FAMILY 0
#endif
#endif
#ifndef TTYCALL_COUNTS_MALLOC_FAMILY
#define TTYCALL_COUNTS_MALLOC_FAMILY 1
#endif
constexpr bool kCountsMallocFamily = TTYCALL_COUNTS_MALLOC_FAMILY;

struct HeapTotals {
  uint64_t allocs = 0;
  uint64_t frees = 0;
  uint64_t bytes_allocated = 0;
  uint64_t bytes_freed = 0;
  int64_t current_bytes = 0;
  int64_t peak_bytes = 0;
};

struct SiteTotals {
  const char* name = "";
  const char* file = "";
  uint32_t line = 0;
  uint64_t total_allocs = 0;
  int64_t live_count = 0;
  int64_t live_bytes = 0;
};

// A named place that allocates. Declare one per subsystem, usually as a function-local
// static: `static const AllocSite site("compositor.views");`. Registering the same name twice
// yields the same id.
class AllocSite {
 public:
  explicit AllocSite(const char* name,
                     std::source_location where = std::source_location::current());
  SiteId id() const { return id_; }

 private:
  SiteId id_;
};

// While alive, heap allocations made by this thread are attributed to `site`.
class ScopedAllocSite {
 public:
  explicit ScopedAllocSite(const AllocSite& site);
  ~ScopedAllocSite();
  ScopedAllocSite(const ScopedAllocSite&) = delete;
  ScopedAllocSite& operator=(const ScopedAllocSite&) = delete;

 private:
  SiteId previous_;
};

// Grows `buffer` (a std::vector or alike) to at least `size` elements, counted under `site`.
// It never shrinks, so a buffer reused for work of one size allocates only the first time.
template <class Buffer>
void grow_to(Buffer& buffer, size_t size, const AllocSite& site) {
  if (buffer.size() < size) {
    ScopedAllocSite scope(site);
    buffer.resize(size);
  }
}

namespace alloc_accounting {

void record_alloc(size_t bytes, SiteId site) noexcept;
void record_free(size_t bytes, SiteId site) noexcept;
SiteId current_site() noexcept;
void set_current_site(SiteId site) noexcept;

HeapTotals totals() noexcept;
int site_count() noexcept;
SiteTotals site(int index) noexcept;

}  // namespace alloc_accounting

// malloc/free counted under `site` whatever the thread's current site: what a C library's
// allocator hook calls (such hooks take this shape through an opaque pointer).
void* tracked_malloc(size_t bytes, SiteId site) noexcept;
void tracked_free(void* pointer) noexcept;

}  // namespace ttycall::core
