#include "core/buffer_pool.h"

#include <algorithm>
#include <array>
#include <cassert>
#include <cstring>
#include <new>

namespace ttycall::core {

struct PooledBuffer::Block {
  std::atomic<uint32_t> refs{0};
  BufferPool* owner = nullptr;
  size_t size = 0;
  size_t capacity = 0;
  // The buffer follows the block header, 64-byte aligned for SIMD readers.
  uint8_t* data() { return reinterpret_cast<uint8_t*>(this) + kHeaderBytes; }
  static constexpr size_t kHeaderBytes = 64;
};
static_assert(sizeof(PooledBuffer::Block) <= PooledBuffer::Block::kHeaderBytes);

namespace {

// The registry of live pools: part of the accounting, guarded by one mutex.
struct Registry {
  std::mutex mutex;
  std::array<const BufferPool*, pool_registry::kMaxPools> pools{};
};
Registry& registry() {
  static Registry instance;
  return instance;
}

void register_pool(const BufferPool* pool) {
  Registry& r = registry();
  std::lock_guard lock(r.mutex);
  for (auto& slot : r.pools) {
    if (slot == nullptr) {
      slot = pool;
      return;
    }
  }
}

void unregister_pool(const BufferPool* pool) {
  Registry& r = registry();
  std::lock_guard lock(r.mutex);
  for (auto& slot : r.pools) {
    if (slot == pool) slot = nullptr;
  }
}

}  // namespace

// ---- PooledBuffer ----

PooledBuffer::PooledBuffer(const PooledBuffer& other) noexcept : block_(other.block_) {
  if (block_) block_->refs.fetch_add(1, std::memory_order_relaxed);
}

PooledBuffer::PooledBuffer(PooledBuffer&& other) noexcept : block_(other.block_) {
  other.block_ = nullptr;
}

PooledBuffer& PooledBuffer::operator=(const PooledBuffer& other) noexcept {
  if (this != &other) {
    PooledBuffer copy(other);
    std::swap(block_, copy.block_);
  }
  return *this;
}

PooledBuffer& PooledBuffer::operator=(PooledBuffer&& other) noexcept {
  if (this != &other) {
    reset();
    block_ = other.block_;
    other.block_ = nullptr;
  }
  return *this;
}

PooledBuffer::~PooledBuffer() {
  reset();
}

void PooledBuffer::reset() {
  if (block_ == nullptr) return;
  Block* block = block_;
  block_ = nullptr;
  if (block->refs.fetch_sub(1, std::memory_order_acq_rel) == 1) {
    block->owner->give_back(block);
  }
}

uint8_t* PooledBuffer::data() {
  return block_ ? block_->data() : nullptr;
}
const uint8_t* PooledBuffer::data() const {
  return block_ ? block_->data() : nullptr;
}
size_t PooledBuffer::capacity() const {
  return block_ ? block_->capacity : 0;
}
size_t PooledBuffer::size() const {
  return block_ ? block_->size : 0;
}
void PooledBuffer::set_size(size_t bytes) {
  assert(block_ && bytes <= block_->capacity);
  block_->size = bytes;
}
uint32_t PooledBuffer::use_count() const {
  return block_ ? block_->refs.load(std::memory_order_relaxed) : 0;
}

// ---- BufferPool ----

BufferPool::BufferPool(std::string name, size_t buffer_size, size_t initial_buffers,
                       size_t max_buffers, bool grow_on_demand, MemoryBudget* budget)
    : name_(std::move(name)),
      buffer_size_(buffer_size),
      max_buffers_(max_buffers < initial_buffers ? initial_buffers : max_buffers),
      grow_on_demand_(grow_on_demand),
      budget_(budget),
      target_(max_buffers_),
      site_(("pool:" + name_).c_str()) {
  free_.reserve(max_buffers_);
  all_.reserve(max_buffers_);
  std::lock_guard lock(mutex_);
  for (size_t i = 0; i < initial_buffers; ++i) {
    PooledBuffer::Block* block = allocate_block();
    if (block == nullptr) break;
    free_.push_back(block);
  }
  register_pool(this);
}

BufferPool::~BufferPool() {
  unregister_pool(this);
  assert(free_.size() == all_.size() && "a PooledBuffer outlived its pool");
  for (PooledBuffer::Block* block : all_) free_block(block);
}

PooledBuffer::Block* BufferPool::allocate_block() noexcept {
  const size_t bytes = PooledBuffer::Block::kHeaderBytes + buffer_size_;
  if (budget_ != nullptr && !budget_->try_charge(bytes)) return nullptr;
  ScopedAllocSite scope(site_);
  void* memory = ::operator new (bytes, std::align_val_t{64}, std::nothrow);
  if (memory == nullptr) {
    if (budget_ != nullptr) budget_->credit(bytes);
    return nullptr;
  }
  auto* block = ::new (memory) PooledBuffer::Block;
  block->owner = this;
  block->capacity = buffer_size_;
  all_.push_back(block);  // reserved to max_buffers_: never reallocates
  return block;
}

void BufferPool::forget_locked(PooledBuffer::Block* block) noexcept {
  auto it = std::find(all_.begin(), all_.end(), block);
  assert(it != all_.end());
  *it = all_.back();
  all_.pop_back();
}

void BufferPool::free_block(PooledBuffer::Block* block) noexcept {
  block->~Block();
  ::operator delete (static_cast<void*>(block), std::align_val_t{64});
  if (budget_ != nullptr) budget_->credit(PooledBuffer::Block::kHeaderBytes + buffer_size_);
}

PooledBuffer BufferPool::acquire() {
  PooledBuffer::Block* block = nullptr;
  {
    std::lock_guard lock(mutex_);
    ++acquires_;
    if (!free_.empty()) {
      block = free_.back();
      free_.pop_back();
    } else if (grow_on_demand_ && all_.size() < max_buffers_) {
      block = allocate_block();
    }
    if (block == nullptr) {
      ++misses_;
      return PooledBuffer();
    }
  }
  block->size = 0;
  block->refs.store(1, std::memory_order_relaxed);
  return PooledBuffer(block);
}

bool BufferPool::reserve(size_t buffers) {
  std::lock_guard lock(mutex_);
  const size_t target = std::min(buffers, max_buffers_);
  target_ = std::max(target_, target);
  while (all_.size() < target) {
    PooledBuffer::Block* block = allocate_block();
    if (block == nullptr) return false;
    free_.push_back(block);
  }
  return buffers <= max_buffers_;
}

void BufferPool::shrink_to(size_t buffers) {
  // At most a few hundred blocks: freed after the lock, so acquire() never waits on free().
  std::array<PooledBuffer::Block*, 64> batch;
  for (;;) {
    size_t n = 0;
    {
      std::lock_guard lock(mutex_);
      target_ = std::min(buffers, max_buffers_);
      while (all_.size() > target_ && !free_.empty() && n < batch.size()) {
        batch[n] = free_.back();
        free_.pop_back();
        forget_locked(batch[n++]);
      }
    }
    for (size_t i = 0; i < n; ++i) free_block(batch[i]);
    if (n < batch.size()) return;
  }
}

void BufferPool::give_back(PooledBuffer::Block* block) noexcept {
  {
    std::lock_guard lock(mutex_);
    if (all_.size() <= target_) {
      free_.push_back(block);  // capacity reserved up front: never allocates
      return;
    }
    forget_locked(block);  // beyond the target: demand fell, or this one grew past it
  }
  free_block(block);
}

PoolStats BufferPool::stats() const {
  std::lock_guard lock(mutex_);
  PoolStats s;
  name_.copy(s.name, sizeof(s.name) - 1);
  s.buffer_size = buffer_size_;
  s.allocated = all_.size();
  s.target = target_;
  s.in_use = all_.size() - free_.size();
  s.max_buffers = max_buffers_;
  s.acquires = acquires_;
  s.misses = misses_;
  return s;
}

namespace pool_registry {

int snapshot(std::span<PoolStats> out) {
  Registry& r = registry();
  std::lock_guard lock(r.mutex);
  int n = 0;
  for (const BufferPool* pool : r.pools) {
    if (pool != nullptr && size_t(n) < out.size()) out[n++] = pool->stats();
  }
  return n;
}

}  // namespace pool_registry
}  // namespace ttycall::core
