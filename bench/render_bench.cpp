// Micro benchmarks of the server's per-frame work: scaling, rendering, compression, CRC.
#include <benchmark/benchmark.h>

#include <vector>

#include "client/test_patterns.h"
#include "media/scale.h"
#include "media/text_renderer.h"
#include "media/zstd_codec.h"
#include "net/crc32c.h"

namespace {

using namespace ttycall;

std::vector<uint8_t> pattern(int w, int h) {
  std::vector<uint8_t> pixels(size_t(w) * h * 3);
  client::MovingSource(1).capture({pixels.data(), w, h, w * 3}, 0, 1.25);
  return pixels;
}

// A 640x480 camera frame rendered into a cols x rows view (scale + render).
void BM_ScaleAndRender(benchmark::State& state) {
  const int cols = int(state.range(0)), rows = int(state.range(1));
  const auto mode = media::RenderMode(state.range(2));
  const auto color = media::ColorMode(state.range(3));
  const std::vector<uint8_t> src = pattern(640, 480);
  std::vector<uint8_t> canvas(size_t(cols) * rows * 2 * 3);
  const media::RenderTarget target{cols, rows, mode, color};
  std::vector<uint8_t> out(media::max_frame_bytes(target));
  size_t bytes = 0;
  for (auto _ : state) {
    const media::MutableImageView dst{canvas.data(), cols, rows * 2, cols * 3};
    media::scale_cover({src.data(), 640, 480, 640 * 3}, dst);
    bytes = media::render_frame(dst.view(), target, {}, out);
    benchmark::DoNotOptimize(out.data());
  }
  state.counters["cells/s"] =
      benchmark::Counter(double(cols) * rows, benchmark::Counter::kIsIterationInvariantRate);
  state.counters["bytes/frame"] = double(bytes);
  state.SetLabel(std::string(media::to_string(mode)) + "/" + std::string(media::to_string(color)));
}
BENCHMARK(BM_ScaleAndRender)
    ->ArgsProduct({{160}, {48}, {0, 1}, {0, 1, 2}})
    ->ArgsProduct({{240}, {67}, {0, 1}, {0, 1, 2}});

void BM_ZstdFrame(benchmark::State& state) {
  const int cols = 160, rows = 48;
  const std::vector<uint8_t> src = pattern(cols, rows * 2);
  const media::RenderTarget target{cols, rows, media::RenderMode::kHalf,
                                   media::ColorMode::kTrueColor};
  std::vector<uint8_t> text(media::max_frame_bytes(target));
  const size_t n = media::render_frame({src.data(), cols, rows * 2, cols * 3}, target, {}, text);
  std::vector<uint8_t> out(media::FrameCompressor::bound(n));
  media::FrameCompressor compressor(1);
  size_t compressed = 0;
  for (auto _ : state) {
    compressed = compressor.compress({text.data(), n}, out);
    benchmark::DoNotOptimize(out.data());
  }
  state.SetBytesProcessed(int64_t(state.iterations()) * int64_t(n));
  state.counters["ratio"] = double(n) / double(compressed);
}
BENCHMARK(BM_ZstdFrame);

void BM_Crc32c(benchmark::State& state) {
  std::vector<uint8_t> data(size_t(state.range(0)), 0x5a);
  for (auto _ : state) benchmark::DoNotOptimize(net::crc32c(data));
  state.SetBytesProcessed(int64_t(state.iterations()) * state.range(0));
}
BENCHMARK(BM_Crc32c)->Arg(64 << 10);

void BM_Crc32cScalar(benchmark::State& state) {
  std::vector<uint8_t> data(size_t(state.range(0)), 0x5a);
  for (auto _ : state) benchmark::DoNotOptimize(net::crc32c_scalar(data));
  state.SetBytesProcessed(int64_t(state.iterations()) * state.range(0));
}
BENCHMARK(BM_Crc32cScalar)->Arg(64 << 10);

}  // namespace
