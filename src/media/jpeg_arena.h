#pragma once
// libjpeg's memory manager, backed by memory its codec owns. libjpeg's own manager mallocs
// its work memory (strip buffers, Huffman state, a few KiB to a few hundred KiB) for every
// image and frees it when the image ends; this one serves each pool (JPOOL_PERMANENT,
// JPOOL_IMAGE) from chunks it keeps, and at the end of an image only rewinds the image pool.
// It grows only when an image needs more than any before (then, at the next rewind, it
// merges its chunks into one that holds it all), so a codec that keeps encoding or decoding
// images of one size allocates nothing after its first image.
//
// Virtual arrays (the whole-image buffers of progressive or multi-scan images) are kept in
// memory, never in a backing file. Sizes and alignment follow libjpeg-turbo's jmemmgr.c
// (32-byte alignment, sizes rounded up to it, sample rows padded to 64 samples), which its
// SIMD code relies on.
//
// Internal to the JPEG codec (media/jpeg_codec.cpp); include <cstdio> before it (jpeglib.h
// needs FILE).
#include <cstddef>
#include <cstdio>
#include <memory>
#include <vector>

#include <jpeglib.h>

#include "core/alloc_accounting.h"

namespace ttycall::media {

class JpegArena {
 public:
  explicit JpegArena(const core::AllocSite& site);
  ~JpegArena();
  JpegArena(const JpegArena&) = delete;
  JpegArena& operator=(const JpegArena&) = delete;

  // Becomes `object`'s memory manager; call right after jpeg_create_compress/decompress.
  // libjpeg's own manager stays alive behind it for what jpeg_create_* already put in its
  // permanent pool, and is destroyed with the object (jpeg_destroy). Once installed, the
  // arena must outlive `object` or see it destroyed first.
  void install(j_common_ptr object);

  // Bytes held in chunks, both pools.
  size_t reserved_bytes() const;

 private:
  // One lifetime class: a bump allocator over chunks.
  class Pool {
   public:
    // nullptr if the heap is out of memory.
    void* allocate(size_t bytes, const core::AllocSite& site) noexcept;
    // Forgets every object; if they took more than one chunk, replaces the chunks by one
    // that holds them all.
    void rewind(const core::AllocSite& site) noexcept;
    size_t reserved_bytes() const;

   private:
    struct Chunk {
      std::unique_ptr<unsigned char[]> storage;
      unsigned char* begin = nullptr;  // aligned
      size_t size = 0;
      size_t used = 0;
    };
    bool add_chunk(size_t bytes, const core::AllocSite& site) noexcept;
    std::vector<Chunk> chunks_;
    size_t current_ = 0;     // the chunk being filled
    size_t high_water_ = 0;  // bytes the pool's objects took since the last rewind
  };

  struct Manager;  // the jpeg_memory_mgr libjpeg calls, pointing back here
  struct Methods;  // its entry points
  friend struct Methods;

  const core::AllocSite& site_;
  std::unique_ptr<Manager> manager_;
  Pool pools_[JPOOL_NUMPOOLS];
  struct jvirt_sarray_control* sarrays_ = nullptr;  // this image's virtual arrays
  struct jvirt_barray_control* barrays_ = nullptr;
};

}  // namespace ttycall::media
