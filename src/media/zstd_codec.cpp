#define ZSTD_STATIC_LINKING_ONLY  // ZSTD_customMem and the *_advanced constructors
#include "media/zstd_codec.h"

#include <zstd.h>

#include <new>

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

// ZSTD_estimateCCtxSize(level) is the workspace for that level and any input size, so a
// static context in it never asks for more.
FrameCompressor::FrameCompressor(int level)
    : workspace_bytes_(ZSTD_estimateCCtxSize(level)),
      workspace_(core::tracked_malloc(workspace_bytes_, zstd_site().id())),
      context_(ZSTD_initStaticCCtx(workspace_, workspace_bytes_)),
      level_(level) {
  if (context_ == nullptr) throw std::bad_alloc();
  ZSTD_CCtx_setParameter(context_, ZSTD_c_compressionLevel, level_);
  ZSTD_CCtx_setParameter(context_, ZSTD_c_checksumFlag, 0);
}

FrameCompressor::~FrameCompressor() {
  core::tracked_free(workspace_);  // a static context has nothing else to free
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
