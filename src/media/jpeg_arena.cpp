#include "media/jpeg_arena.h"

#include <jerror.h>

#include <algorithm>
#include <cstdint>
#include <cstring>
#include <new>
#include <type_traits>

// libjpeg declares the virtual array control blocks and leaves their definition to the
// memory manager. Ours keep the whole array in memory.
template <class Row>
struct VirtualArray {
  Row* rows = nullptr;  // null until realize_virt_arrays
  JDIMENSION rows_in_array = 0;
  JDIMENSION width = 0;  // samples or blocks per row
  JDIMENSION maxaccess = 0;
  JDIMENSION first_undef_row = 0;
  bool pre_zero = false;
};
struct jvirt_sarray_control : VirtualArray<JSAMPROW> {
  jvirt_sarray_control* next = nullptr;
};
struct jvirt_barray_control : VirtualArray<JBLOCKROW> {
  jvirt_barray_control* next = nullptr;
};

namespace ttycall::media {
namespace {

constexpr size_t kAlign = 32;                  // libjpeg-turbo's ALIGN_SIZE with SIMD (AVX2 loads)
constexpr size_t kMaxAllocChunk = 1000000000;  // its MAX_ALLOC_CHUNK: no request is larger
constexpr size_t kMinChunk = 64 * 1024;

size_t round_up(size_t n, size_t multiple) {
  return (n + multiple - 1) & ~(multiple - 1);
}

}  // namespace

struct JpegArena::Manager {
  jpeg_memory_mgr pub;  // first: libjpeg hands &pub back to the methods as cinfo->mem
  JpegArena* arena = nullptr;
  jpeg_memory_mgr* original = nullptr;  // libjpeg's own, for jpeg_create_*'s objects
};

// The methods libjpeg calls. On failure they leave through error_exit (ERREXIT), which the
// codec turns into a longjmp: nothing here holds anything that needs destroying.
struct JpegArena::Methods {
  static JpegArena& arena(j_common_ptr object) {
    return *reinterpret_cast<Manager*>(object->mem)->arena;
  }

  static void* alloc(j_common_ptr object, int pool_id, size_t bytes) {
    if (pool_id < 0 || pool_id >= JPOOL_NUMPOOLS) ERREXIT1(object, JERR_BAD_POOL_ID, pool_id);
    if (bytes > kMaxAllocChunk) ERREXIT1(object, JERR_OUT_OF_MEMORY, 1);
    JpegArena& a = arena(object);
    void* p = a.pools_[pool_id].allocate(round_up(bytes, kAlign), a.site_);
    if (p == nullptr) ERREXIT1(object, JERR_OUT_OF_MEMORY, 2);
    return p;
  }

  // `count` rows of `width` elements in one block, behind an array of row pointers.
  template <class Row>
  static Row* rows(j_common_ptr object, int pool_id, size_t width, JDIMENSION count) {
    const size_t row_bytes = width * sizeof(std::remove_pointer_t<Row>);
    if (width > kMaxAllocChunk || count == 0 || row_bytes > kMaxAllocChunk / count) {
      ERREXIT(object, JERR_WIDTH_OVERFLOW);
    }
    auto* result = static_cast<Row*>(alloc(object, pool_id, count * sizeof(Row)));
    auto* data = static_cast<unsigned char*>(alloc(object, pool_id, row_bytes * count));
    for (JDIMENSION i = 0; i < count; ++i) result[i] = reinterpret_cast<Row>(data + i * row_bytes);
    return result;
  }

  static JSAMPARRAY alloc_sarray(j_common_ptr object, int pool_id, JDIMENSION samples,
                                 JDIMENSION count) {
    // As jmemmgr.c: rows padded to 2 * ALIGN_SIZE samples, for the 2x upsamplers.
    if (samples > kMaxAllocChunk) ERREXIT(object, JERR_WIDTH_OVERFLOW);
    return rows<JSAMPROW>(object, pool_id, round_up(samples, 2 * kAlign / sizeof(JSAMPLE)), count);
  }

  static JBLOCKARRAY alloc_barray(j_common_ptr object, int pool_id, JDIMENSION blocks,
                                  JDIMENSION count) {
    return rows<JBLOCKROW>(object, pool_id, blocks, count);
  }

  template <class Control>
  static Control* request(j_common_ptr object, int pool_id, boolean pre_zero, JDIMENSION width,
                          JDIMENSION count, JDIMENSION maxaccess, Control*& list) {
    if (pool_id != JPOOL_IMAGE) ERREXIT1(object, JERR_BAD_POOL_ID, pool_id);
    auto* control = new (alloc(object, pool_id, sizeof(Control))) Control;
    control->rows_in_array = count;
    control->width = width;
    control->maxaccess = maxaccess;
    control->pre_zero = pre_zero != 0;
    control->next = list;
    list = control;
    return control;
  }

  static jvirt_sarray_ptr request_virt_sarray(j_common_ptr object, int pool_id, boolean pre_zero,
                                              JDIMENSION samples, JDIMENSION count,
                                              JDIMENSION maxaccess) {
    return request(object, pool_id, pre_zero, samples, count, maxaccess, arena(object).sarrays_);
  }

  static jvirt_barray_ptr request_virt_barray(j_common_ptr object, int pool_id, boolean pre_zero,
                                              JDIMENSION blocks, JDIMENSION count,
                                              JDIMENSION maxaccess) {
    return request(object, pool_id, pre_zero, blocks, count, maxaccess, arena(object).barrays_);
  }

  static void realize_virt_arrays(j_common_ptr object) {
    for (auto* s = arena(object).sarrays_; s != nullptr; s = s->next) {
      if (s->rows == nullptr)
        s->rows = alloc_sarray(object, JPOOL_IMAGE, s->width, s->rows_in_array);
    }
    for (auto* b = arena(object).barrays_; b != nullptr; b = b->next) {
      if (b->rows == nullptr)
        b->rows = alloc_barray(object, JPOOL_IMAGE, b->width, b->rows_in_array);
    }
  }

  // jmemmgr.c's access rules without the backing store: rows are defined by writing them
  // in order (or by pre-zeroing); reading an undefined row is an error.
  template <class Control>
  static auto access(j_common_ptr object, Control* array, JDIMENSION start, JDIMENSION count,
                     boolean writable) {
    const JDIMENSION end = start + count;
    if (array->rows == nullptr || end < start || end > array->rows_in_array ||
        count > array->maxaccess) {
      ERREXIT(object, JERR_BAD_VIRTUAL_ACCESS);
    }
    if (array->first_undef_row < end) {
      JDIMENSION undefined = array->first_undef_row;
      if (undefined < start) {
        if (writable) ERREXIT(object, JERR_BAD_VIRTUAL_ACCESS);  // a writer skipped rows
        undefined = start;
      }
      if (writable) array->first_undef_row = end;
      if (array->pre_zero) {
        using Element = std::remove_pointer_t<std::remove_reference_t<decltype(*array->rows)>>;
        const size_t row_bytes = size_t(array->width) * sizeof(Element);
        for (JDIMENSION r = undefined; r < end; ++r) std::memset(array->rows[r], 0, row_bytes);
      } else if (!writable) {
        ERREXIT(object, JERR_BAD_VIRTUAL_ACCESS);
      }
    }
    return array->rows + start;
  }

  static JSAMPARRAY access_virt_sarray(j_common_ptr object, jvirt_sarray_ptr array,
                                       JDIMENSION start, JDIMENSION count, boolean writable) {
    return access(object, array, start, count, writable);
  }

  static JBLOCKARRAY access_virt_barray(j_common_ptr object, jvirt_barray_ptr array,
                                        JDIMENSION start, JDIMENSION count, boolean writable) {
    return access(object, array, start, count, writable);
  }

  static void free_pool(j_common_ptr object, int pool_id) {
    if (pool_id < 0 || pool_id >= JPOOL_NUMPOOLS) ERREXIT1(object, JERR_BAD_POOL_ID, pool_id);
    JpegArena& a = arena(object);
    if (pool_id == JPOOL_IMAGE) {
      a.sarrays_ = nullptr;
      a.barrays_ = nullptr;
    }
    a.pools_[pool_id].rewind(a.site_);
  }

  // jpeg_destroy: libjpeg's own manager frees what it holds; the chunks go with the arena.
  static void self_destruct(j_common_ptr object) {
    Manager* manager = reinterpret_cast<Manager*>(object->mem);
    manager->arena->sarrays_ = nullptr;
    manager->arena->barrays_ = nullptr;
    object->mem = manager->original;
    manager->original = nullptr;
    (*object->mem->self_destruct)(object);
  }
};

JpegArena::JpegArena(const core::AllocSite& site) : site_(site) {
  core::ScopedAllocSite scope(site_);
  manager_ = std::make_unique<Manager>();
  jpeg_memory_mgr& m = manager_->pub;
  m.alloc_small = Methods::alloc;
  m.alloc_large = Methods::alloc;
  m.alloc_sarray = Methods::alloc_sarray;
  m.alloc_barray = Methods::alloc_barray;
  m.request_virt_sarray = Methods::request_virt_sarray;
  m.request_virt_barray = Methods::request_virt_barray;
  m.realize_virt_arrays = Methods::realize_virt_arrays;
  m.access_virt_sarray = Methods::access_virt_sarray;
  m.access_virt_barray = Methods::access_virt_barray;
  m.free_pool = Methods::free_pool;
  m.self_destruct = Methods::self_destruct;
  manager_->arena = this;
}

JpegArena::~JpegArena() = default;

void JpegArena::install(j_common_ptr object) {
  manager_->original = object->mem;
  manager_->pub.max_memory_to_use = object->mem->max_memory_to_use;
  manager_->pub.max_alloc_chunk = object->mem->max_alloc_chunk;
  object->mem = &manager_->pub;
}

size_t JpegArena::reserved_bytes() const {
  size_t total = 0;
  for (const Pool& pool : pools_) total += pool.reserved_bytes();
  return total;
}

// ---- Pool ---------------------------------------------------------------------------------

void* JpegArena::Pool::allocate(size_t bytes, const core::AllocSite& site) noexcept {
  for (; current_ < chunks_.size(); ++current_) {
    Chunk& chunk = chunks_[current_];
    if (chunk.size - chunk.used >= bytes) {
      void* p = chunk.begin + chunk.used;
      chunk.used += bytes;
      high_water_ += bytes;
      return p;
    }
  }
  if (!add_chunk(std::max(bytes, kMinChunk), site)) return nullptr;
  return allocate(bytes, site);
}

bool JpegArena::Pool::add_chunk(size_t bytes, const core::AllocSite& site) noexcept {
  try {
    core::ScopedAllocSite scope(site);
    Chunk chunk;
    chunk.storage = std::make_unique_for_overwrite<unsigned char[]>(bytes + kAlign - 1);
    const auto base = reinterpret_cast<uintptr_t>(chunk.storage.get());
    chunk.begin = chunk.storage.get() + (round_up(base, kAlign) - base);
    chunk.size = bytes;
    chunks_.push_back(std::move(chunk));
    current_ = chunks_.size() - 1;
    return true;
  } catch (const std::bad_alloc&) {
    return false;
  }
}

void JpegArena::Pool::rewind(const core::AllocSite& site) noexcept {
  if (chunks_.size() > 1) {
    // The image took more than one chunk: next time one chunk holds it all (with a little
    // room, so an image of the same size with slightly other work memory still fits).
    const size_t needed = round_up(high_water_ + high_water_ / 16, 4096);
    chunks_.clear();
    add_chunk(needed, site);  // on failure the next image grows chunk by chunk again
  }
  for (Chunk& chunk : chunks_) chunk.used = 0;
  current_ = 0;
  high_water_ = 0;
}

size_t JpegArena::Pool::reserved_bytes() const {
  size_t total = 0;
  for (const Chunk& chunk : chunks_) total += chunk.size;
  return total;
}

}  // namespace ttycall::media
