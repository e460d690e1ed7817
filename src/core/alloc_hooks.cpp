// The replaced global operator new/delete. Every C++ heap allocation in the process goes
// through here and is counted (core/alloc_accounting.h), attributed to the thread's
// current site. A 16-byte header in front of each block remembers its size and site, so
// unsized deletes are counted too. Linked as an object into every executable.
#include <cstdint>
#include <cstdlib>
#include <new>

#include "core/alloc_accounting.h"

namespace {

using ttycall::core::SiteId;
namespace acct = ttycall::core::alloc_accounting;

struct alignas(16) BlockHeader {
  uint64_t bytes;
  uint32_t offset;  // from the malloc'd base to the user pointer
  uint16_t site;
  uint16_t magic;
};
static_assert(sizeof(BlockHeader) == 16);
constexpr uint16_t kMagic = 0xA110;

void* allocate(std::size_t bytes, std::size_t alignment) noexcept {
  if (alignment < alignof(BlockHeader)) alignment = alignof(BlockHeader);
  const std::size_t total = bytes + sizeof(BlockHeader) + alignment - alignof(BlockHeader);
  auto* base = static_cast<unsigned char*>(std::malloc(total == 0 ? 1 : total));
  if (base == nullptr) return nullptr;
  uintptr_t user = reinterpret_cast<uintptr_t>(base) + sizeof(BlockHeader);
  user = (user + alignment - 1) & ~(uintptr_t(alignment) - 1);
  auto* header = reinterpret_cast<BlockHeader*>(user) - 1;
  const SiteId site = acct::current_site();
  header->bytes = bytes;
  header->offset = static_cast<uint32_t>(user - reinterpret_cast<uintptr_t>(base));
  header->site = site;
  header->magic = kMagic;
  acct::record_alloc(bytes, site);
  return reinterpret_cast<void*>(user);
}

void release(void* pointer) noexcept {
  if (pointer == nullptr) return;
  auto* header = static_cast<BlockHeader*>(pointer) - 1;
  acct::record_free(header->bytes, header->site);
  header->magic = 0;
  std::free(static_cast<unsigned char*>(pointer) - header->offset);
}

void* allocate_or_throw(std::size_t bytes, std::size_t alignment) {
  for (;;) {
    if (void* p = allocate(bytes, alignment)) return p;
    std::new_handler handler = std::get_new_handler();
    if (handler == nullptr) throw std::bad_alloc();
    handler();
  }
}

}  // namespace

void* operator new(std::size_t n) {
  return allocate_or_throw(n, alignof(std::max_align_t));
}
void* operator new[](std::size_t n) {
  return allocate_or_throw(n, alignof(std::max_align_t));
}
void* operator new(std::size_t n, const std::nothrow_t&) noexcept {
  return allocate(n, alignof(std::max_align_t));
}
void* operator new[](std::size_t n, const std::nothrow_t&) noexcept {
  return allocate(n, alignof(std::max_align_t));
}
void* operator new(std::size_t n, std::align_val_t a) {
  return allocate_or_throw(n, static_cast<std::size_t>(a));
}
void* operator new[](std::size_t n, std::align_val_t a) {
  return allocate_or_throw(n, static_cast<std::size_t>(a));
}
void* operator new(std::size_t n, std::align_val_t a, const std::nothrow_t&) noexcept {
  return allocate(n, static_cast<std::size_t>(a));
}
void* operator new[](std::size_t n, std::align_val_t a, const std::nothrow_t&) noexcept {
  return allocate(n, static_cast<std::size_t>(a));
}

void operator delete(void* p) noexcept {
  release(p);
}
void operator delete[](void* p) noexcept {
  release(p);
}
void operator delete(void* p, std::size_t) noexcept {
  release(p);
}
void operator delete[](void* p, std::size_t) noexcept {
  release(p);
}
void operator delete(void* p, const std::nothrow_t&) noexcept {
  release(p);
}
void operator delete[](void* p, const std::nothrow_t&) noexcept {
  release(p);
}
void operator delete(void* p, std::align_val_t) noexcept {
  release(p);
}
void operator delete[](void* p, std::align_val_t) noexcept {
  release(p);
}
void operator delete(void* p, std::size_t, std::align_val_t) noexcept {
  release(p);
}
void operator delete[](void* p, std::size_t, std::align_val_t) noexcept {
  release(p);
}
void operator delete(void* p, std::align_val_t, const std::nothrow_t&) noexcept {
  release(p);
}
void operator delete[](void* p, std::align_val_t, const std::nothrow_t&) noexcept {
  release(p);
}
