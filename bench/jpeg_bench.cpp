// Micro benchmarks of the camera path's JPEG: a client encodes every frame it sends, the
// server decodes every frame it receives (once per participant, whatever the viewers).
#include <benchmark/benchmark.h>

#include <vector>

#include "client/test_patterns.h"
#include "media/jpeg_codec.h"

namespace {

using namespace ttycall;

std::vector<uint8_t> pattern(int w, int h) {
  std::vector<uint8_t> pixels(size_t(w) * h * 3);
  client::MovingSource(1).capture({pixels.data(), w, h, w * 3}, 0, 1.25);
  return pixels;
}

std::vector<uint8_t> encoded(int w, int h) {
  const std::vector<uint8_t> pixels = pattern(w, h);
  std::vector<uint8_t> jpeg(media::JpegEncoder::max_size(w, h));
  media::JpegEncoder encoder;
  jpeg.resize(encoder.encode({pixels.data(), w, h, w * 3}, jpeg));
  return jpeg;
}

// Sizes: a full 640x480 camera, a 160x96 tile (one participant in a 160x48 view), a 56x20
// tile (one of 16 in a 226x42 view: 16 rooms of 16) and a 32x18 tile (one of 64 in a 240x67
// view).
void sizes(benchmark::internal::Benchmark* b) {
  b->Args({640, 480})->Args({160, 96})->Args({56, 20})->Args({32, 18});
}

// Third argument: 1 decodes alone, as the server does (the size is known from the packet);
// 0 reads the header first (read_info), as the server did until 2026-12-02.
void BM_JpegDecode(benchmark::State& state) {
  const int w = int(state.range(0)), h = int(state.range(1));
  const int mode = int(state.range(2));
  const std::vector<uint8_t> jpeg = encoded(w, h);
  std::vector<uint8_t> out(size_t(w) * h * 3);
  media::JpegDecoder decoder;
  media::JpegInfo info;
  if (!decoder.read_info(jpeg, info)) {
    state.SkipWithError("not a JPEG");
    return;
  }
  for (auto _ : state) {
    if (mode == 0) decoder.read_info(jpeg, info);
    benchmark::DoNotOptimize(decoder.decode(jpeg, info, out));
  }
  state.counters["pixels/s"] =
      benchmark::Counter(double(w) * h, benchmark::Counter::kIsIterationInvariantRate);
  state.counters["jpeg_bytes"] = double(jpeg.size());
}
void decode_sizes(benchmark::internal::Benchmark* b) {
  for (int mode = 0; mode < 2; ++mode) {
    b->Args({640, 480, mode})->Args({160, 96, mode})->Args({56, 20, mode})->Args({32, 18, mode});
  }
}
BENCHMARK(BM_JpegDecode)->Apply(decode_sizes);

void BM_JpegEncode(benchmark::State& state) {
  const int w = int(state.range(0)), h = int(state.range(1));
  const std::vector<uint8_t> pixels = pattern(w, h);
  std::vector<uint8_t> out(media::JpegEncoder::max_size(w, h));
  media::JpegEncoder encoder;
  size_t bytes = 0;
  for (auto _ : state) {
    bytes = encoder.encode({pixels.data(), w, h, w * 3}, out);
    benchmark::DoNotOptimize(out.data());
  }
  state.counters["pixels/s"] =
      benchmark::Counter(double(w) * h, benchmark::Counter::kIsIterationInvariantRate);
  state.counters["jpeg_bytes"] = double(bytes);
}
BENCHMARK(BM_JpegEncode)->Apply(sizes);

}  // namespace
