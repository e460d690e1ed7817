#include "core/alloc_accounting.h"

#include <atomic>
#include <cstring>
#include <mutex>

#include "core/counted_heap.h"

namespace ttycall::core {
namespace {

struct SiteSlot {
  char name[kMaxSiteNameBytes] = {};
  const char* file = "";
  uint32_t line = 0;
  std::atomic<uint64_t> total_allocs{0};
  std::atomic<int64_t> live_count{0};
  std::atomic<int64_t> live_bytes{0};
};

struct Counters {
  std::atomic<uint64_t> allocs{0};
  std::atomic<uint64_t> frees{0};
  std::atomic<uint64_t> bytes_allocated{0};
  std::atomic<uint64_t> bytes_freed{0};
  std::atomic<int64_t> current{0};
  std::atomic<int64_t> peak{0};
  std::atomic<int> site_count{2};
  SiteSlot sites[kMaxAllocSites];
  std::mutex registration;
};

// Constant-initialized and never destroyed: operator delete may run after main returns.
Counters& counters() {
  static Counters* instance = [] {
    alignas(Counters) static unsigned char storage[sizeof(Counters)];
    auto* c = ::new (storage) Counters;
    std::strncpy(c->sites[kUnattributedSite].name, "heap (unattributed)", kMaxSiteNameBytes - 1);
    std::strncpy(c->sites[kMallocSite].name, "malloc (unattributed)", kMaxSiteNameBytes - 1);
    return c;
  }();
  return *instance;
}

thread_local SiteId t_current_site = 0;

}  // namespace

AllocSite::AllocSite(const char* name, std::source_location where) {
  Counters& c = counters();
  std::lock_guard lock(c.registration);
  const int n = c.site_count.load(std::memory_order_acquire);
  for (int i = 0; i < n; ++i) {
    if (std::strncmp(c.sites[i].name, name, kMaxSiteNameBytes - 1) == 0) {
      id_ = static_cast<SiteId>(i);
      return;
    }
  }
  if (n >= kMaxAllocSites) {
    id_ = 0;  // table full: fall back to unattributed rather than fail
    return;
  }
  SiteSlot& slot = c.sites[n];
  std::strncpy(slot.name, name, kMaxSiteNameBytes - 1);
  slot.file = where.file_name();
  slot.line = where.line();
  id_ = static_cast<SiteId>(n);
  c.site_count.store(n + 1, std::memory_order_release);
}

ScopedAllocSite::ScopedAllocSite(const AllocSite& site) : previous_(t_current_site) {
  t_current_site = site.id();
}

ScopedAllocSite::~ScopedAllocSite() {
  t_current_site = previous_;
}

namespace alloc_accounting {

void record_alloc(size_t bytes, SiteId site) noexcept {
  Counters& c = counters();
  c.allocs.fetch_add(1, std::memory_order_relaxed);
  c.bytes_allocated.fetch_add(bytes, std::memory_order_relaxed);
  const int64_t now =
      c.current.fetch_add(int64_t(bytes), std::memory_order_relaxed) + int64_t(bytes);
  int64_t peak = c.peak.load(std::memory_order_relaxed);
  while (now > peak && !c.peak.compare_exchange_weak(peak, now, std::memory_order_relaxed)) {
  }
  SiteSlot& slot = c.sites[site < kMaxAllocSites ? site : 0];
  slot.total_allocs.fetch_add(1, std::memory_order_relaxed);
  slot.live_count.fetch_add(1, std::memory_order_relaxed);
  slot.live_bytes.fetch_add(int64_t(bytes), std::memory_order_relaxed);
}

void record_free(size_t bytes, SiteId site) noexcept {
  Counters& c = counters();
  c.frees.fetch_add(1, std::memory_order_relaxed);
  c.bytes_freed.fetch_add(bytes, std::memory_order_relaxed);
  c.current.fetch_sub(int64_t(bytes), std::memory_order_relaxed);
  SiteSlot& slot = c.sites[site < kMaxAllocSites ? site : 0];
  slot.live_count.fetch_sub(1, std::memory_order_relaxed);
  slot.live_bytes.fetch_sub(int64_t(bytes), std::memory_order_relaxed);
}

SiteId current_site() noexcept {
  return t_current_site;
}
void set_current_site(SiteId site) noexcept {
  t_current_site = site;
}

HeapTotals totals() noexcept {
  Counters& c = counters();
  HeapTotals t;
  t.allocs = c.allocs.load(std::memory_order_relaxed);
  t.frees = c.frees.load(std::memory_order_relaxed);
  t.bytes_allocated = c.bytes_allocated.load(std::memory_order_relaxed);
  t.bytes_freed = c.bytes_freed.load(std::memory_order_relaxed);
  t.current_bytes = c.current.load(std::memory_order_relaxed);
  t.peak_bytes = c.peak.load(std::memory_order_relaxed);
  return t;
}

int site_count() noexcept {
  return counters().site_count.load(std::memory_order_acquire);
}

SiteTotals site(int index) noexcept {
  Counters& c = counters();
  SiteTotals s;
  if (index < 0 || index >= site_count()) return s;
  const SiteSlot& slot = c.sites[index];
  s.name = slot.name;
  s.file = slot.file;
  s.line = slot.line;
  s.total_allocs = slot.total_allocs.load(std::memory_order_relaxed);
  s.live_count = slot.live_count.load(std::memory_order_relaxed);
  s.live_bytes = slot.live_bytes.load(std::memory_order_relaxed);
  return s;
}

}  // namespace alloc_accounting

void* tracked_malloc(size_t bytes, SiteId site) noexcept {
  return counted_heap::allocate(bytes, 16, site);
}

void tracked_free(void* pointer) noexcept {
  counted_heap::release(pointer);
}

}  // namespace ttycall::core
