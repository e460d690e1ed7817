#include "core/counted_heap.h"

#include <cerrno>
#include <cstdint>
#include <cstdlib>
#include <cstring>

// glibc's own allocator under its exported names: calling these instead of malloc keeps the
// interposed malloc (malloc_hooks.cpp) from counting our blocks twice, and needs no dlsym
// (which itself allocates).
extern "C" {
void* __libc_malloc(size_t bytes);
void* __libc_calloc(size_t count, size_t size);
void* __libc_realloc(void* pointer, size_t bytes);
void* __libc_memalign(size_t alignment, size_t bytes);
void __libc_free(void* pointer);
}

namespace ttycall::core::counted_heap {
namespace {

namespace acct = alloc_accounting;

struct alignas(16) Header {
  uint64_t bytes;
  uint32_t offset;  // from the block's base to the user pointer
  uint16_t site;
  uint16_t magic;  // where glibc keeps the top bits of a chunk's size: never this value
};
static_assert(sizeof(Header) == 16);
constexpr uint16_t kMagic = 0xA110;
constexpr size_t kMaxAlignment = size_t(1) << 30;  // the offset must fit in 32 bits

// The allocator under the counted heap.
void* raw_malloc(size_t bytes) {
  if constexpr (kCountsMallocFamily) {
    return __libc_malloc(bytes);
  } else {
    return std::malloc(bytes);
  }
}
void* raw_calloc(size_t bytes) {
  if constexpr (kCountsMallocFamily) {
    return __libc_calloc(1, bytes);
  } else {
    return std::calloc(1, bytes);
  }
}
void* raw_realloc(void* pointer, size_t bytes) {
  if constexpr (kCountsMallocFamily) {
    return __libc_realloc(pointer, bytes);
  } else {
    return std::realloc(pointer, bytes);
  }
}
void* raw_memalign(size_t alignment, size_t bytes) {
  if constexpr (kCountsMallocFamily) {
    return __libc_memalign(alignment, bytes);
  } else {
    return std::aligned_alloc(alignment, (bytes + alignment - 1) & ~(alignment - 1));
  }
}
void raw_free(void* pointer) {
  if constexpr (kCountsMallocFamily) {
    __libc_free(pointer);
  } else {
    std::free(pointer);
  }
}

Header* header_of(const void* pointer) {
  return const_cast<Header*>(static_cast<const Header*>(pointer) - 1);
}

bool is_ours(const void* pointer) {
  return header_of(pointer)->magic == kMagic;
}

void* fail() {
  errno = ENOMEM;
  return nullptr;
}

// Writes the header of a block whose user part starts `offset` bytes into `base`.
void* finish(void* base, size_t offset, size_t bytes, SiteId site) {
  if (base == nullptr) return nullptr;
  void* user = static_cast<unsigned char*>(base) + offset;
  *header_of(user) = {bytes, uint32_t(offset), site, kMagic};
  acct::record_alloc(bytes, site);
  return user;
}

}  // namespace

void* allocate(size_t bytes, size_t alignment, SiteId site) noexcept {
  if (alignment <= sizeof(Header)) {
    if (bytes > SIZE_MAX - sizeof(Header)) return fail();
    return finish(raw_malloc(bytes + sizeof(Header)), sizeof(Header), bytes, site);
  }
  // The header sits in the first `alignment` bytes, just before the aligned user part.
  if (alignment > kMaxAlignment || bytes > SIZE_MAX - alignment) return fail();
  return finish(raw_memalign(alignment, bytes + alignment), alignment, bytes, site);
}

void* allocate_zeroed(size_t count, size_t size, SiteId site) noexcept {
  size_t bytes = 0;
  if (__builtin_mul_overflow(count, size, &bytes) || bytes > SIZE_MAX - sizeof(Header)) {
    return fail();
  }
  return finish(raw_calloc(bytes + sizeof(Header)), sizeof(Header), bytes, site);
}

void* reallocate(void* pointer, size_t bytes, SiteId site) noexcept {
  if (pointer == nullptr) return allocate(bytes, sizeof(Header), site);
  if (!is_ours(pointer)) return raw_realloc(pointer, bytes);
  if (bytes == 0) {
    release(pointer);
    return nullptr;
  }
  const Header old = *header_of(pointer);
  if (old.offset == sizeof(Header)) {
    // A plain block: glibc may grow it in place; the header moves with the data.
    if (bytes > SIZE_MAX - sizeof(Header)) return fail();
    void* base = raw_realloc(header_of(pointer), bytes + sizeof(Header));
    if (base == nullptr) return nullptr;  // the old block stands, still counted
    acct::record_free(old.bytes, old.site);
    return finish(base, sizeof(Header), bytes, old.site);
  }
  // An over-aligned block: realloc need not keep the alignment, so a plain block will do.
  void* fresh = allocate(bytes, sizeof(Header), old.site);
  if (fresh == nullptr) return nullptr;
  std::memcpy(fresh, pointer, old.bytes < bytes ? old.bytes : bytes);
  release(pointer);
  return fresh;
}

void release(void* pointer) noexcept {
  if (pointer == nullptr) return;
  if (!is_ours(pointer)) {
    raw_free(pointer);
    return;
  }
  Header* header = header_of(pointer);
  acct::record_free(header->bytes, header->site);
  header->magic = 0;
  raw_free(static_cast<unsigned char*>(pointer) - header->offset);
}

size_t usable_size(const void* pointer) noexcept {
  if (pointer == nullptr || !is_ours(pointer)) return 0;
  return header_of(pointer)->bytes;
}

}  // namespace ttycall::core::counted_heap
