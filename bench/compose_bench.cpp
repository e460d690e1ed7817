// The compositor's work for one view, as the server does it each tick for every distinct
// (size, render, colour) view: lay out N tiles, scale each participant's frame into its
// tile, render the canvas as text, compress it. This is the cost that grows with the
// number of distinct views and so sets the server's capacity (see BENCHMARKS.md).
#include <benchmark/benchmark.h>

#include <array>
#include <cstring>
#include <vector>

#include "client/test_patterns.h"
#include "media/layout.h"
#include "media/scale.h"
#include "media/text_renderer.h"
#include "media/zstd_codec.h"

namespace {

using namespace ttycall;

void BM_ComposeView(benchmark::State& state) {
  const int cols = int(state.range(0)), rows = int(state.range(1));
  const int tiles = int(state.range(2));
  std::array<media::TileRect, media::kMaxTiles> rects{};
  if (media::grid_layout(tiles, cols, rows, rects) != tiles) {
    state.SkipWithError("the view is too small for that many tiles");
    return;
  }
  // Each participant sends the largest tile size any view needs; here, this view's.
  std::vector<std::vector<uint8_t>> sources(static_cast<size_t>(tiles));
  for (int i = 0; i < tiles; ++i) {
    const int w = rects[i].cols, h = rects[i].rows * 2;
    sources[i].resize(size_t(w) * h * 3);
    client::MovingSource(uint32_t(i + 1))
        .capture({sources[i].data(), w, h, w * 3}, 0, 0.5 + 0.1 * i);
  }
  const int px_w = cols, px_h = rows * 2;
  std::vector<uint8_t> canvas(size_t(px_w) * px_h * 3);
  const media::RenderTarget target{cols, rows, media::RenderMode::kHalf,
                                   media::ColorMode::kTrueColor};
  std::vector<uint8_t> text(media::max_frame_bytes(target));
  std::vector<uint8_t> compressed(media::FrameCompressor::bound(text.size()));
  media::FrameCompressor compressor(1);
  size_t text_size = 0, compressed_size = 0;
  for (auto _ : state) {
    std::memset(canvas.data(), 0, canvas.size());
    const media::MutableImageView view{canvas.data(), px_w, px_h, px_w * 3};
    for (int i = 0; i < tiles; ++i) {
      const media::TileRect& t = rects[i];
      const int w = t.cols, h = t.rows * 2;
      media::scale_cover({sources[i].data(), w, h, w * 3},
                         view.sub(t.col, t.row * 2, t.cols, t.rows * 2));
    }
    text_size = media::render_frame(view.view(), target, {}, text);
    compressed_size = compressor.compress({text.data(), text_size}, compressed);
    benchmark::DoNotOptimize(compressed.data());
  }
  state.counters["views/s"] = benchmark::Counter(1, benchmark::Counter::kIsIterationInvariantRate);
  state.counters["text_bytes"] = double(text_size);
  state.counters["zstd_bytes"] = double(compressed_size);
}
BENCHMARK(BM_ComposeView)
    ->Args({160, 48, 1})
    ->Args({160, 48, 8})
    ->Args({160, 48, 64})
    ->Args({240, 67, 8})
    ->Args({240, 67, 64})
    ->Unit(benchmark::kMicrosecond);

}  // namespace
