// Micro benchmarks of scale_cover, the compositor's per-tile step: a participant's decoded
// frame scaled (and centre-cropped) into its tile, once per tile per view per frame.
#include <benchmark/benchmark.h>

#include <vector>

#include "client/test_patterns.h"
#include "media/scale.h"

namespace {

using namespace ttycall;

// Source w x h scaled into a dst_w x dst_h tile (pixels; a cell is 1 x 2 pixels in half
// block mode).
void BM_ScaleCover(benchmark::State& state) {
  const int sw = int(state.range(0)), sh = int(state.range(1));
  const int dw = int(state.range(2)), dh = int(state.range(3));
  std::vector<uint8_t> src(size_t(sw) * sh * 3);
  client::MovingSource(1).capture({src.data(), sw, sh, sw * 3}, 0, 1.25);
  std::vector<uint8_t> dst(size_t(dw) * dh * 3);
  for (auto _ : state) {
    media::scale_cover({src.data(), sw, sh, sw * 3}, {dst.data(), dw, dh, dw * 3});
    benchmark::DoNotOptimize(dst.data());
  }
  state.counters["dst_pixels/s"] =
      benchmark::Counter(double(dw) * dh, benchmark::Counter::kIsIterationInvariantRate);
}
BENCHMARK(BM_ScaleCover)
    ->Args({640, 480, 160, 96})   // a camera into a whole 160x48 view (area average)
    ->Args({640, 480, 240, 134})  // ... into a 240x67 view
    ->Args({160, 96, 160, 96})    // the size the server asked for: 1:1
    ->Args({32, 18, 32, 18})      // a tile of 64 in a 240x67 view, 1:1
    ->Args({80, 48, 240, 134})    // a small source blown up (bilinear)
    ->Args({160, 96, 150, 90})    // a camera sized for a larger view, in a smaller one
    ->Args({40, 30, 36, 27});     // the same for a small tile (calls of many sizes)

}  // namespace
