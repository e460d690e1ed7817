// Micro benchmarks of the downstream compression: the server compresses every rendered
// view once per frame (the largest share of its CPU with many distinct views: see
// BENCHMARKS.md), every client decompresses each frame it gets. Compared across zstd levels
// (negative = zstd's "fast" levels), on a 160x48 and a 240x67 half-block truecolor frame
// of the moving test pattern, the server's default output mode.
#include <benchmark/benchmark.h>

#include <vector>

#include "client/test_patterns.h"
#include "media/text_renderer.h"
#include "media/zstd_codec.h"

namespace {

using namespace ttycall;

std::vector<uint8_t> rendered_frame(int cols, int rows) {
  std::vector<uint8_t> pixels(size_t(cols) * rows * 2 * 3);
  client::MovingSource(1).capture({pixels.data(), cols, rows * 2, cols * 3}, 0, 1.25);
  const media::RenderTarget target{cols, rows, media::RenderMode::kHalf,
                                   media::ColorMode::kTrueColor};
  std::vector<uint8_t> text(media::max_frame_bytes(target));
  text.resize(media::render_frame({pixels.data(), cols, rows * 2, cols * 3}, target, {}, text));
  return text;
}

// Args: cols, rows, zstd level.
void BM_ZstdCompressLevel(benchmark::State& state) {
  const std::vector<uint8_t> text = rendered_frame(int(state.range(0)), int(state.range(1)));
  std::vector<uint8_t> out(media::FrameCompressor::bound(text.size()));
  media::FrameCompressor compressor(int(state.range(2)));
  size_t compressed = 0;
  for (auto _ : state) {
    compressed = compressor.compress(text, out);
    benchmark::DoNotOptimize(out.data());
  }
  state.SetBytesProcessed(int64_t(state.iterations()) * int64_t(text.size()));
  state.counters["text_bytes"] = double(text.size());
  state.counters["zstd_bytes"] = double(compressed);
}
BENCHMARK(BM_ZstdCompressLevel)
    ->ArgsProduct({{160}, {48}, {1, -1, -3, -5}})
    ->ArgsProduct({{240}, {67}, {1, -1, -3, -5}})
    ->Unit(benchmark::kMicrosecond);

// What each client pays per frame (level 1 input).
void BM_ZstdDecompress(benchmark::State& state) {
  const std::vector<uint8_t> text = rendered_frame(int(state.range(0)), int(state.range(1)));
  std::vector<uint8_t> compressed(media::FrameCompressor::bound(text.size()));
  media::FrameCompressor compressor(1);
  compressed.resize(compressor.compress(text, compressed));
  std::vector<uint8_t> out(text.size());
  media::FrameDecompressor decompressor;
  for (auto _ : state) {
    benchmark::DoNotOptimize(decompressor.decompress(compressed, out));
  }
  state.SetBytesProcessed(int64_t(state.iterations()) * int64_t(text.size()));
}
BENCHMARK(BM_ZstdDecompress)->Args({160, 48})->Args({240, 67})->Unit(benchmark::kMicrosecond);

}  // namespace
