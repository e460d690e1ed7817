#pragma once
// The counted heap: every allocation path of the process ends here (the replaced operator
// new in alloc_hooks.cpp, the interposed malloc family in malloc_hooks.cpp, tracked_malloc).
// Each block has a 16-byte header in front that remembers its size and site, so a free is
// charged back to the site that allocated, whoever frees it. The memory itself comes from
// glibc's allocator through its exported __libc_* entry points (the way allocator libraries
// reach it without dlsym); in sanitizer builds from the sanitizer's malloc instead, which
// then owns the malloc family (see kCountsMallocFamily).
//
// A pointer without our header (one glibc's malloc made before or around us) is told apart
// by the header's magic, which cannot match glibc's own chunk header, and goes straight back
// to glibc uncounted.
#include <cstddef>

#include "core/alloc_accounting.h"

namespace ttycall::core::counted_heap {

// `alignment` is a power of two; up to 16 costs nothing beyond the header.
void* allocate(size_t bytes, size_t alignment, SiteId site) noexcept;
// count * size bytes, zeroed; nullptr on overflow.
void* allocate_zeroed(size_t count, size_t size, SiteId site) noexcept;
// realloc's contract: nullptr makes a new block under `site`, 0 bytes frees; a block that
// moves keeps the site it was made under.
void* reallocate(void* pointer, size_t bytes, SiteId site) noexcept;
void release(void* pointer) noexcept;
// The bytes the caller may use: what it asked for.
size_t usable_size(const void* pointer) noexcept;

}  // namespace ttycall::core::counted_heap
