// The server's 20 ms audio tick: mixing N talking participants, and one Opus encode.
#include <benchmark/benchmark.h>

#include <memory>
#include <vector>

#include "media/audio/mixer.h"
#include "media/audio/opus_codec.h"
#include "media/audio/tone.h"

namespace {

using namespace ttycall::media::audio;

// N sources all talking (distinct tones): the mixer's worst case, every listener an own mix.
void BM_AudioMix(benchmark::State& state) {
  const int sources = int(state.range(0));
  AudioMixer mixer(sources);
  std::vector<std::unique_ptr<SineSource>> tones;
  for (int i = 0; i < sources; ++i) tones.push_back(std::make_unique<SineSource>(200.0 + 37.0 * i));
  std::vector<std::vector<float>> frames(sources, std::vector<float>(kFrameSamples));
  for (int i = 0; i < sources; ++i) tones[i]->fill(frames[i]);
  for (auto _ : state) {
    for (int i = 0; i < sources; ++i) {
      std::copy(frames[i].begin(), frames[i].end(), mixer.input(i).begin());
      mixer.submit(i, 1);
    }
    mixer.mix();
    benchmark::DoNotOptimize(mixer.mix(AudioMixer::kSharedMix).data());
  }
  state.counters["active"] = mixer.active_count();
  state.SetLabel(std::to_string(sources) + " talking");
}
BENCHMARK(BM_AudioMix)->Arg(2)->Arg(8)->Arg(32);

void BM_OpusEncodeFrame(benchmark::State& state) {
  OpusEncoder encoder;
  SineSource tone(440);
  std::vector<float> frame(kFrameSamples);
  tone.fill(frame);
  std::vector<uint8_t> out(kMaxOpusPacketBytes);
  for (auto _ : state) benchmark::DoNotOptimize(encoder.encode(frame, out));
}
BENCHMARK(BM_OpusEncodeFrame);

}  // namespace
