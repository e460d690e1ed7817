// The compositor's work for one view, as the server does it each tick for every distinct
// (size, layout) view: server::ViewEncoder, the compositor's own (media::compose lays out N
// tiles, scales each participant's frame into its tile and places the labels; then the
// picture is encoded as JPEG 4:4:4). This is the cost that grows with the number of
// distinct views and so sets the server's capacity (see BENCHMARKS.md). Only the packet
// framing around it (a copy) is left out.
#include <benchmark/benchmark.h>

#include <array>
#include <string>
#include <vector>

#include "client/test_patterns.h"
#include "core/alloc_accounting.h"
#include "media/compose.h"
#include "media/layout.h"
#include "media/tiles_only.h"
#include "server/view_encoder.h"

namespace {

using namespace ttycall;

const core::AllocSite& bench_site() {
  static const core::AllocSite site("bench.compose");
  return site;
}

// The benchmark's grid: cols x rows cells (ranges 0 and 1) of `tiles` tiles (range 2). False,
// and the benchmark skipped, when the view cannot hold them.
bool lay_out_grid(benchmark::State& state, std::array<media::TileRect, media::kMaxTiles>& rects) {
  const int tiles = int(state.range(2));
  if (media::grid_layout(tiles, int(state.range(0)), int(state.range(1)), rects) == tiles) {
    return true;
  }
  state.SkipWithError("the view is too small for that many tiles");
  return false;
}

void BM_ComposeView(benchmark::State& state) {
  const int cols = int(state.range(0)), rows = int(state.range(1));
  const int tiles = int(state.range(2));
  std::array<media::TileRect, media::kMaxTiles> rects{};
  if (!lay_out_grid(state, rects)) return;
  // Each participant sends the largest tile size any view needs; here, this view's.
  std::vector<std::vector<uint8_t>> pictures(static_cast<size_t>(tiles));
  std::vector<std::string> names(static_cast<size_t>(tiles));
  std::vector<media::TileSource> sources(static_cast<size_t>(tiles));
  for (int i = 0; i < tiles; ++i) {
    const int w = rects[i].cols, h = rects[i].rows * 2;
    pictures[i].resize(size_t(w) * h * 3);
    client::MovingSource(uint32_t(i + 1))
        .capture({pictures[i].data(), w, h, w * 3}, 0, 0.5 + 0.1 * i);
    names[i] = "participant " + std::to_string(i + 1);
    sources[i] = {{pictures[i].data(), w, h, w * 3}, names[i], i == 0};
  }
  const media::ComposeInput input{cols, rows, media::TileLayout::kGrid, 0, sources};
  server::ViewEncoder encoder(bench_site());
  size_t picture_size = 0;
  for (auto _ : state) {
    const server::EncodedView view = encoder.encode(input);
    picture_size = view.picture.size();
    benchmark::DoNotOptimize(view.picture.data());
  }
  state.counters["views/s"] = benchmark::Counter(1, benchmark::Counter::kIsIterationInvariantRate);
  state.counters["jpeg_bytes"] = double(picture_size);
}
BENCHMARK(BM_ComposeView)
    ->Args({160, 48, 1})
    ->Args({160, 48, 8})
    ->Args({160, 48, 64})
    ->Args({240, 67, 8})
    ->Args({240, 67, 64})
    ->Unit(benchmark::kMicrosecond);

// The server's padding of the blocks that straddle a tile's edge (media/tiles_only.h), on the
// grids BM_ComposeView composes: part of its time.
void BM_PadOutsideTiles(benchmark::State& state) {
  const int cols = int(state.range(0)), rows = int(state.range(1));
  const int tiles = int(state.range(2));
  std::array<media::TileRect, media::kMaxTiles> rects{};
  if (!lay_out_grid(state, rects)) return;
  std::vector<uint8_t> canvas(size_t(cols) * rows * 2 * 3, 128);
  for (auto _ : state) {
    media::pad_outside_tiles({canvas.data(), cols, rows * 2, cols * 3},
                             {rects.data(), size_t(tiles)});
    benchmark::DoNotOptimize(canvas.data());
  }
}
BENCHMARK(BM_PadOutsideTiles)
    ->Args({160, 48, 8})
    ->Args({160, 48, 64})
    ->Args({240, 67, 8})
    ->Args({240, 67, 64})
    ->Unit(benchmark::kMicrosecond);

}  // namespace
