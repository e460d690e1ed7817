// Micro benchmarks of the per-frame work: the client's renderer and the CRC.
#include <benchmark/benchmark.h>

#include <random>
#include <string>
#include <vector>

#include "client/test_patterns.h"
#include "core/alloc_accounting.h"
#include "media/frame_renderer.h"
#include "net/crc32c.h"

namespace {

using namespace ttycall;

std::vector<uint8_t> pattern(int w, int h) {
  std::vector<uint8_t> pixels(size_t(w) * h * 3);
  client::MovingSource(1).capture({pixels.data(), w, h, w * 3}, 0, 1.25);
  return pixels;
}

std::string mode_label(media::RenderMode mode, media::ColorMode color) {
  return std::string(media::to_string(mode)) + "/" + std::string(media::to_string(color));
}

const core::AllocSite& bench_site() {
  static const core::AllocSite site("bench.render");
  return site;
}

// A full render (every cell) of a cols x rows*2 picture: picture -> cells -> bytes.
void BM_RenderFull(benchmark::State& state) {
  const int cols = int(state.range(0)), rows = int(state.range(1));
  const media::RenderTarget target{cols, rows, media::RenderMode(state.range(2)),
                                   media::ColorMode(state.range(3))};
  const std::vector<uint8_t> picture = pattern(cols, rows * 2);
  const media::ImageView view{picture.data(), cols, rows * 2, cols * 3};
  media::FrameRenderer renderer(bench_site());
  size_t bytes = 0;
  for (auto _ : state) {
    const auto out = renderer.render(view, target, {}, /*full=*/true);
    bytes = out.size();
    benchmark::DoNotOptimize(out.data());
  }
  state.counters["cells/s"] =
      benchmark::Counter(double(cols) * rows, benchmark::Counter::kIsIterationInvariantRate);
  state.counters["bytes/frame"] = double(bytes);
  state.SetLabel(mode_label(target.mode, target.color));
}
BENCHMARK(BM_RenderFull)
    ->ArgsProduct({{160}, {48}, {0, 1}, {0, 1, 2, 3}})
    ->ArgsProduct({{240}, {67}, {0, 1}, {0, 1, 2, 3}});

// Renders by differences at 160x48: two pictures that differ in range(2) percent of the
// cells, alternated (so each render writes those cells), or one picture again (0).
void BM_RenderDiff(benchmark::State& state) {
  const int cols = 160, rows = 48;
  const media::RenderTarget target{cols, rows, media::RenderMode(state.range(0)),
                                   media::ColorMode(state.range(1))};
  const int percent = int(state.range(2));
  const std::vector<uint8_t> a = pattern(cols, rows * 2);
  std::vector<uint8_t> b = a;
  std::mt19937 rng(7);
  for (int cell = 0; cell < cols * rows; ++cell) {
    if (int(rng() % 100) >= percent) continue;
    // Both pixels of the cell, so that every mode sees the change.
    const size_t top = (size_t(cell / cols) * 2 * cols + size_t(cell % cols)) * 3;
    for (size_t at : {top, top + size_t(cols) * 3}) {
      for (int c = 0; c < 3; ++c) b[at + c] = uint8_t(255 - b[at + c]);
    }
  }
  const media::ImageView views[2] = {{a.data(), cols, rows * 2, cols * 3},
                                     {b.data(), cols, rows * 2, cols * 3}};
  media::FrameRenderer renderer(bench_site());
  renderer.render(views[0], target, {});
  size_t bytes = 0;
  int which = 0;
  for (auto _ : state) {
    which ^= 1;
    const auto out = renderer.render(views[percent > 0 ? which : 0], target, {});
    bytes = out.size();
    benchmark::DoNotOptimize(out.data());
  }
  state.counters["bytes/frame"] = double(bytes);
  state.SetLabel(mode_label(target.mode, target.color) + " " + std::to_string(percent) + "%");
}
BENCHMARK(BM_RenderDiff)->ArgsProduct({{0, 1}, {0, 1, 2, 3}, {0, 10}});

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
