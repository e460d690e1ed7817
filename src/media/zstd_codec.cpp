#define ZSTD_STATIC_LINKING_ONLY  // ZSTD_customMem and the *_advanced constructors
#include "media/zstd_codec.h"

#include <zstd.h>

#include "core/alloc_accounting.h"

namespace ttycall::media {
namespace {

const core::AllocSite& zstd_site() {
  static const core::AllocSite site("zstd");
  return site;
}

void* zstd_alloc(void*, size_t size) {
  return core::tracked_malloc(size, zstd_site().id());
}
void zstd_free(void*, void* address) {
  core::tracked_free(address);
}

ZSTD_customMem counted_memory() {
  return ZSTD_customMem{zstd_alloc, zstd_free, nullptr};
}

}  // namespace

FrameCompressor::FrameCompressor(int level)
    : context_(ZSTD_createCCtx_advanced(counted_memory())), level_(level) {
  ZSTD_CCtx_setParameter(context_, ZSTD_c_compressionLevel, level_);
  ZSTD_CCtx_setParameter(context_, ZSTD_c_checksumFlag, 0);
}

FrameCompressor::~FrameCompressor() {
  ZSTD_freeCCtx(context_);
}

size_t FrameCompressor::compress(std::span<const uint8_t> src, std::span<uint8_t> dst) {
  const size_t n = ZSTD_compress2(context_, dst.data(), dst.size(), src.data(), src.size());
  return ZSTD_isError(n) ? 0 : n;
}

size_t FrameCompressor::bound(size_t src_size) {
  return ZSTD_compressBound(src_size);
}

FrameDecompressor::FrameDecompressor() : context_(ZSTD_createDCtx_advanced(counted_memory())) {}

FrameDecompressor::~FrameDecompressor() {
  ZSTD_freeDCtx(context_);
}

size_t FrameDecompressor::decompress(std::span<const uint8_t> src, std::span<uint8_t> dst) {
  const size_t n = ZSTD_decompressDCtx(context_, dst.data(), dst.size(), src.data(), src.size());
  return ZSTD_isError(n) ? 0 : n;
}

}  // namespace ttycall::media
