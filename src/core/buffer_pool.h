#pragma once
// Fixed-size buffers lent out by a pool, behind refcounted handles.
//
// Every per-frame or per-packet buffer of the server comes from a BufferPool: received
// payloads, decoded frames, compressed frames. A pool allocates its blocks up front or on
// demand until it reaches `max_buffers`, and never frees them before it dies, so a steady
// call reuses the same memory forever. When every buffer is in use, acquire() returns an
// empty handle and counts a miss: the caller drops that frame; nothing blocks and nothing
// falls back to the heap.
//
// A PooledBuffer is a handle: copies share the buffer (one atomic increment), and the last
// handle to go returns it to the pool. Fill a buffer while you hold the only handle; after
// you share it, treat it as immutable. The pool must outlive every handle it lent.
#include <atomic>
#include <cstddef>
#include <cstdint>
#include <mutex>
#include <span>
#include <string>
#include <vector>

#include "core/alloc_accounting.h"
#include "core/memory_budget.h"

namespace ttycall::core {

class BufferPool;

class PooledBuffer {
 public:
  PooledBuffer() = default;
  PooledBuffer(const PooledBuffer& other) noexcept;
  PooledBuffer(PooledBuffer&& other) noexcept;
  PooledBuffer& operator=(const PooledBuffer& other) noexcept;
  PooledBuffer& operator=(PooledBuffer&& other) noexcept;
  ~PooledBuffer();

  explicit operator bool() const { return block_ != nullptr; }
  uint8_t* data();
  const uint8_t* data() const;
  size_t capacity() const;
  // Bytes in use (set by whoever filled it); <= capacity().
  size_t size() const;
  void set_size(size_t bytes);
  std::span<const uint8_t> bytes() const { return {data(), size()}; }
  std::span<uint8_t> writable() { return {data(), capacity()}; }
  void reset();
  // Handles sharing this buffer (for tests and assertions).
  uint32_t use_count() const;

  struct Block;  // opaque: header + bytes, owned by a BufferPool

 private:
  friend class BufferPool;
  explicit PooledBuffer(Block* block) : block_(block) {}
  Block* block_ = nullptr;
};

struct PoolStats {
  char name[kMaxSiteNameBytes] = {};
  size_t buffer_size = 0;
  size_t in_use = 0;
  size_t allocated = 0;  // blocks that exist (in use or free)
  size_t target = 0;     // blocks it keeps when idle (see BufferPool::shrink_to)
  size_t max_buffers = 0;
  uint64_t acquires = 0;
  uint64_t misses = 0;
};

class BufferPool {
 public:
  // Allocates `initial_buffers` now. With `grow_on_demand`, acquire() adds a block when
  // none is free (up to `max_buffers`); without, only reserve() adds blocks and an empty
  // pool is a miss: for pools whose demand the owner can predict. Blocks are charged to
  // `budget` when there is one (it must outlive the pool).
  BufferPool(std::string name, size_t buffer_size, size_t initial_buffers, size_t max_buffers,
             bool grow_on_demand = true, MemoryBudget* budget = nullptr);
  ~BufferPool();
  BufferPool(const BufferPool&) = delete;
  BufferPool& operator=(const BufferPool&) = delete;

  // A free buffer (size 0), or an empty handle when the pool is exhausted (a miss).
  PooledBuffer acquire();
  size_t buffer_size() const { return buffer_size_; }
  // Makes sure at least `buffers` blocks exist (up to the maximum), so that a later
  // acquire() does not have to grow the pool, and raises the target to it. Call it when
  // demand rises (a join, a new view), never per frame; it allocates only the blocks that
  // are missing. False when the budget or the heap could not give them all.
  bool reserve(size_t buffers);
  // Lowers the target to `buffers`: idle blocks beyond it are freed now, and blocks in use
  // beyond it as they come back. Blocks that acquire() grows on demand beyond the target
  // are freed on return too. Call it when demand falls (a leave), never per frame.
  void shrink_to(size_t buffers);
  PoolStats stats() const;

 private:
  friend class PooledBuffer;
  void give_back(PooledBuffer::Block* block) noexcept;
  // nullptr when the budget or the heap refuses. Call with mutex_ held.
  PooledBuffer::Block* allocate_block() noexcept;
  // Takes `block` out of all_ (mutex_ held); free_block() then frees it, unlocked.
  void forget_locked(PooledBuffer::Block* block) noexcept;
  void free_block(PooledBuffer::Block* block) noexcept;

  std::string name_;
  size_t buffer_size_;
  size_t max_buffers_;
  bool grow_on_demand_;
  MemoryBudget* budget_;
  size_t target_;  // blocks kept when they are idle (max_buffers_ until shrink_to)
  AllocSite site_;
  mutable std::mutex mutex_;
  std::vector<PooledBuffer::Block*> free_;  // reserved to max_buffers_: never reallocates
  std::vector<PooledBuffer::Block*> all_;   // every block, freed in the destructor
  uint64_t acquires_ = 0;
  uint64_t misses_ = 0;
};

// Every live pool, for the Memory Report. Pools register themselves on construction.
namespace pool_registry {
constexpr int kMaxPools = 64;
// Copies the stats of up to out.size() live pools into `out`; returns how many.
int snapshot(std::span<PoolStats> out);
}  // namespace pool_registry

}  // namespace ttycall::core
