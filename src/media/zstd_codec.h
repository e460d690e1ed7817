#pragma once
// zstd compression of rendered frames. The contexts allocate through zstd's custom
// allocator hook, counted under the "zstd" site, and are reused for every frame, so
// steady compression does not allocate. A compressor's workspace is allocated once, at the
// size its level needs for any input: a context that sized itself to each frame would
// reallocate whenever a frame first needed larger tables, in the middle of a steady call.
#include <cstddef>
#include <cstdint>
#include <span>

struct ZSTD_CCtx_s;
struct ZSTD_DCtx_s;

namespace ttycall::media {

class FrameCompressor {
 public:
  explicit FrameCompressor(int level = 1);
  ~FrameCompressor();
  FrameCompressor(const FrameCompressor&) = delete;
  FrameCompressor& operator=(const FrameCompressor&) = delete;

  // Compresses `src` into `dst`; returns the compressed size, 0 on failure (dst too small).
  size_t compress(std::span<const uint8_t> src, std::span<uint8_t> dst);
  static size_t bound(size_t src_size);

 private:
  size_t workspace_bytes_;  // ZSTD_estimateCCtxSize(level)
  void* workspace_;         // counted under "zstd"; the static context lives in it
  ZSTD_CCtx_s* context_;
  int level_;
};

class FrameDecompressor {
 public:
  FrameDecompressor();
  ~FrameDecompressor();
  FrameDecompressor(const FrameDecompressor&) = delete;
  FrameDecompressor& operator=(const FrameDecompressor&) = delete;

  // Decompresses `src` into `dst`; returns the decompressed size, or 0 when the input is
  // corrupt or does not fit.
  size_t decompress(std::span<const uint8_t> src, std::span<uint8_t> dst);

 private:
  ZSTD_DCtx_s* context_;
};

}  // namespace ttycall::media
