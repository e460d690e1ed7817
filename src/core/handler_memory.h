#pragma once
// Memory for asynchronous-operation handlers (Asio), so a steady stream of reads, writes,
// timers and posts never touches the heap.
//
// Each Session (and each server timer) owns a HandlerMemory with a few fixed slots; Asio
// allocates its operation objects through HandlerAllocator, bound to a handler with
// asio::bind_allocator. Slots are claimed with an atomic flag, so an operation may be freed
// on another thread. If every slot is taken or an operation is larger than a slot, it falls
// back to operator new, which is counted like any other allocation.
#include <array>
#include <atomic>
#include <cstddef>
#include <new>

namespace ttycall::core {

class HandlerMemory {
 public:
  static constexpr size_t kSlotBytes = 1024;
  static constexpr size_t kSlots = 8;

  HandlerMemory() = default;
  HandlerMemory(const HandlerMemory&) = delete;
  HandlerMemory& operator=(const HandlerMemory&) = delete;

  void* allocate(size_t bytes) {
    if (bytes <= kSlotBytes) {
      for (size_t i = 0; i < kSlots; ++i) {
        if (!in_use_[i].exchange(true, std::memory_order_acquire)) return storage_[i].bytes;
      }
    }
    return ::operator new(bytes);
  }

  void deallocate(void* pointer) {
    for (size_t i = 0; i < kSlots; ++i) {
      if (pointer == storage_[i].bytes) {
        in_use_[i].store(false, std::memory_order_release);
        return;
      }
    }
    ::operator delete(pointer);
  }

 private:
  struct alignas(std::max_align_t) Slot {
    std::byte bytes[kSlotBytes];
  };
  std::array<Slot, kSlots> storage_;
  std::array<std::atomic<bool>, kSlots> in_use_{};
};

template <class T>
class HandlerAllocator {
 public:
  using value_type = T;

  explicit HandlerAllocator(HandlerMemory& memory) : memory_(&memory) {}
  template <class U>
  HandlerAllocator(const HandlerAllocator<U>& other) noexcept : memory_(other.memory_) {}

  T* allocate(size_t n) { return static_cast<T*>(memory_->allocate(sizeof(T) * n)); }
  void deallocate(T* pointer, size_t) { memory_->deallocate(pointer); }

  template <class U>
  bool operator==(const HandlerAllocator<U>& other) const noexcept {
    return memory_ == other.memory_;
  }

 private:
  template <class>
  friend class HandlerAllocator;
  HandlerMemory* memory_;
};

}  // namespace ttycall::core
