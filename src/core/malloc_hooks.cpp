// The interposed malloc family. Defined in the executable, these take precedence over
// glibc's for every library of the process (ELF symbol interposition, as jemalloc or
// tcmalloc do), so libjpeg, FFmpeg, PortAudio and libc itself (strdup, stdio buffers) are
// counted like operator new: same counters, same header (core/counted_heap.h). A block
// made outside any ScopedAllocSite goes to "malloc (unattributed)".
//
// glibc asks a replacement for all of these, or a block from one would reach another that
// does not know it (https://sourceware.org/glibc/manual/latest/html_node/Replacing-malloc.html).
// In sanitizer builds none of this is compiled: the sanitizer owns malloc there.
#include <malloc.h>
#include <unistd.h>

#include <cerrno>
#include <cstddef>
#include <cstdlib>

#include "core/alloc_accounting.h"
#include "core/counted_heap.h"

#if TTYCALL_COUNTS_MALLOC_FAMILY
namespace {

namespace heap = ttycall::core::counted_heap;
namespace acct = ttycall::core::alloc_accounting;

constexpr size_t kMallocAlignment = 16;  // what glibc's malloc guarantees on x86-64 and arm64

ttycall::core::SiteId site() noexcept {
  const ttycall::core::SiteId current = acct::current_site();
  return current == ttycall::core::kUnattributedSite ? ttycall::core::kMallocSite : current;
}

bool is_power_of_two(size_t n) {
  return n != 0 && (n & (n - 1)) == 0;
}

size_t page_size() noexcept {
  return size_t(sysconf(_SC_PAGESIZE));
}

}  // namespace

extern "C" {

void* malloc(size_t bytes) noexcept {
  return heap::allocate(bytes, kMallocAlignment, site());
}

void* calloc(size_t count, size_t size) noexcept {
  return heap::allocate_zeroed(count, size, site());
}

void* realloc(void* pointer, size_t bytes) noexcept {
  return heap::reallocate(pointer, bytes, site());
}

void* reallocarray(void* pointer, size_t count, size_t size) noexcept {
  size_t bytes = 0;
  if (__builtin_mul_overflow(count, size, &bytes)) {
    errno = ENOMEM;
    return nullptr;
  }
  return heap::reallocate(pointer, bytes, site());
}

void free(void* pointer) noexcept {
  heap::release(pointer);
}

int posix_memalign(void** out, size_t alignment, size_t bytes) noexcept {
  if (!is_power_of_two(alignment) || alignment % sizeof(void*) != 0) return EINVAL;
  void* p = heap::allocate(bytes, alignment, site());
  if (p == nullptr) return ENOMEM;
  *out = p;
  return 0;
}

void* aligned_alloc(size_t alignment, size_t bytes) noexcept {
  if (!is_power_of_two(alignment)) {
    errno = EINVAL;
    return nullptr;
  }
  return heap::allocate(bytes, alignment, site());
}

void* memalign(size_t alignment, size_t bytes) noexcept {
  // glibc rounds an alignment that is not a power of two up to one.
  size_t a = kMallocAlignment;
  while (a < alignment && a != 0) a <<= 1;
  if (a == 0) {
    errno = EINVAL;
    return nullptr;
  }
  return heap::allocate(bytes, a, site());
}

void* valloc(size_t bytes) noexcept {
  return heap::allocate(bytes, page_size(), site());
}

void* pvalloc(size_t bytes) noexcept {
  const size_t page = page_size();
  if (bytes > SIZE_MAX - page) {
    errno = ENOMEM;
    return nullptr;
  }
  return heap::allocate((bytes + page - 1) & ~(page - 1), page, site());
}

size_t malloc_usable_size(void* pointer) noexcept {
  return heap::usable_size(pointer);
}

}  // extern "C"
#endif  // TTYCALL_COUNTS_MALLOC_FAMILY
