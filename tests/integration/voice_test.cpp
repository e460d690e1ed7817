// Voice in a real call: one `ttycall server` and headless `ttycall client`s over 127.0.0.1,
// talking with test tones (--audio sine:HZ) and recording what they hear
// (--audio-out file:PATH.wav). The recordings are read back and each tone measured by its
// energy (Goertzel): every listener must hear everyone but themselves, the muted must not
// be heard, and nothing may clip. The server must still make no heap allocation in steady
// state with voice on.
#include <gtest/gtest.h>
#include <signal.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <nlohmann/json.hpp>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "client_process.h"
#include "json_file.h"
#include "media/audio/audio_format.h"
#include "media/audio/tone.h"
#include "media/audio/wav_file.h"
#include "server_process.h"
#include "temp_dir.h"
#include "text_file.h"

namespace ttycall::itest {
namespace {

using namespace std::chrono_literals;
namespace audio = media::audio;

constexpr double kLow = 440;   // A's tone
constexpr double kHigh = 660;  // B's tone

// What the recordings are judged by. A SineSource talks at 0.25 full scale; after the
// mixer's DSP (crowd scaling, compressor) a listener hears a tone at ~0.1 (power ~5e-3),
// and a tone that is not in the mix at ~3e-5 (power ~1e-9): Opus noise, seven orders of
// magnitude down. The margins below sit far from both, and a wrong mix (the listener's own
// voice in it, even 30 dB down; a talker missing; silence) fails them.
// Each second is judged on its own too, more leniently for the tones that must be heard: on a
// busy machine a talker may drop out for a few hundred ms (timers late, PLC), which is a
// glitch, not a wrong mix; a second without the talker at all is still a fault.
constexpr double kSkipSeconds = 2;  // joining, prebuffering, gate and compressor attack
struct Margins {
  float present_amplitude;    // a tone that is heard is above this
  float absent_amplitude;     // a tone that is not heard is below this
  float present_over_absent;  // power ratio of the weakest heard tone to any unheard one
};
constexpr Margins kWhole{0.03f, 0.003f, 1000};  // -30 dBFS, -50 dBFS, 30 dB
constexpr Margins kSecond{0.01f, 0.003f, 100};  // -40 dBFS, -50 dBFS, 20 dB
constexpr float kMaxPeak = 0.99f;               // the soft clipper keeps the mix below full scale
constexpr float kInt16Max = 32767.0f / 32768.0f;

std::string read_text(const std::string& path) {
  return read_file_or_empty(path);
}

// A whole recording, 48 kHz mono floats (int16 / 32768).
struct Recording {
  std::vector<float> samples;
  double seconds() const { return double(samples.size()) / audio::kSampleRate; }
  // From `from_s` to the end.
  std::span<const float> after(double from_s) const {
    const size_t skip = std::min(samples.size(), size_t(from_s * audio::kSampleRate));
    return std::span<const float>(samples).subspan(skip);
  }
};

Recording read_recording(const std::string& path) {
  audio::WavReader reader;
  Recording rec;
  if (const core::Status opened = reader.open(path); !opened.is_ok()) {
    ADD_FAILURE() << "cannot read the recording " << path << ": " << opened.message();
    return rec;
  }
  EXPECT_EQ(reader.source_rate(), audio::kSampleRate) << path;
  EXPECT_EQ(reader.source_channels(), 1) << path;
  std::vector<float> chunk(audio::kFrameSamples);
  while (true) {
    const size_t n = reader.read(chunk);
    rec.samples.insert(rec.samples.end(), chunk.begin(), chunk.begin() + long(n));
    if (n < chunk.size()) break;
  }
  return rec;
}

float peak_of(std::span<const float> samples) {
  float peak = 0;
  for (const float s : samples) peak = std::max(peak, std::fabs(s));
  return peak;
}

size_t clipped_in(std::span<const float> samples) {
  return size_t(std::count_if(samples.begin(), samples.end(),
                              [](float s) { return std::fabs(s) >= kInt16Max; }));
}

std::string describe(std::span<const float> samples) {
  char text[160];
  std::snprintf(text, sizeof text, "440 Hz: amplitude %.3g (power %.3g); 660 Hz: %.3g (%.3g)",
                double(audio::goertzel_amplitude(samples, kLow)),
                double(audio::goertzel_power(samples, kLow)),
                double(audio::goertzel_amplitude(samples, kHigh)),
                double(audio::goertzel_power(samples, kHigh)));
  return text;
}

// Checks what `who` heard in `samples` (one stretch of their recording): every tone in
// `heard` clearly, every tone in `not_heard` not at all.
void expect_tones(const std::string& who, std::span<const float> samples, const Margins& margins,
                  const std::vector<double>& heard, const std::vector<double>& not_heard) {
  SCOPED_TRACE(who + " heard " + describe(samples));
  float weakest_heard = INFINITY;
  for (const double hz : heard) {
    const float amplitude = audio::goertzel_amplitude(samples, hz);
    EXPECT_GT(amplitude, margins.present_amplitude)
        << who << " does not hear the " << hz << " Hz talker";
    weakest_heard = std::min(weakest_heard, audio::goertzel_power(samples, hz));
  }
  for (const double hz : not_heard) {
    const float amplitude = audio::goertzel_amplitude(samples, hz);
    EXPECT_LT(amplitude, margins.absent_amplitude) << who << " hears the " << hz << " Hz tone";
    if (!heard.empty()) {
      EXPECT_GT(weakest_heard, margins.present_over_absent * audio::goertzel_power(samples, hz))
          << who << " hears the " << hz << " Hz tone too loudly next to the others";
    }
  }
}

// The whole stretch after kSkipSeconds, and each whole second of it on its own (a talker
// dropping out, or an echo of oneself, for a second is a fault too).
void expect_recording(const std::string& who, const Recording& rec,
                      const std::vector<double>& heard, const std::vector<double>& not_heard) {
  // Only the first fault is reported: a wrong mix would otherwise fail every second again.
  const bool failed_before = ::testing::Test::HasFailure();
  const std::span<const float> judged = rec.after(kSkipSeconds);
  expect_tones(who + " (whole recording after " + std::to_string(int(kSkipSeconds)) + " s)", judged,
               kWhole, heard, not_heard);
  for (size_t s = 0; (s + 1) * audio::kSampleRate <= judged.size(); ++s) {
    if (::testing::Test::HasFailure() && !failed_before) return;
    expect_tones(who + " (second " + std::to_string(int(kSkipSeconds) + int(s)) + ")",
                 judged.subspan(s * audio::kSampleRate, audio::kSampleRate), kSecond, heard,
                 not_heard);
  }
}

void expect_no_clipping(const std::string& who, const Recording& rec) {
  EXPECT_EQ(clipped_in(rec.samples), 0u) << who << "'s recording has samples at full scale";
  EXPECT_LT(peak_of(rec.samples), kMaxPeak) << who << "'s recording peaks at full scale";
}

ClientSpec voice_client(const TempDir& dir, const std::string& name, const std::string& in,
                        const std::string& out, double duration) {
  ClientSpec spec;
  spec.name = name;
  spec.video = "none";
  spec.duration = duration;
  spec.stats_json = dir.file(name + ".json");
  spec.extra_args = {"--audio", in, "--audio-out", out};
  return spec;
}

// Waits for every client to end by itself (its --duration) and checks it ended well.
void wait_for_clients(const TempDir& dir,
                      std::vector<std::pair<std::string, ChildProcess>>& clients,
                      std::chrono::milliseconds timeout) {
  for (auto& [name, client] : clients) {
    const std::optional<ExitStatus> status = client.wait_for(timeout);
    ASSERT_TRUE(status) << name << " did not end after its --duration";
    EXPECT_TRUE(status->success()) << name << ": " << status->describe() << "; stderr:\n"
                                   << read_text(dir.file(name + ".stderr"));
  }
}

double p50(const nlohmann::json& audio_stats) {
  return audio_stats.at("mouth_to_ear_ms").at("p50").get<double>();
}
double p95(const nlohmann::json& audio_stats) {
  return audio_stats.at("mouth_to_ear_ms").at("p95").get<double>();
}

// A talks at 440 Hz, B at 660 Hz, C only listens. Everyone hears everyone but themselves.
TEST(Voice, EachListenerHearsEveryoneButThemselvesWithoutClipping) {
  constexpr double kDuration = 8;
  TempDir dir;
  ServerProcess server({}, dir.file("server.stderr"));
  const struct {
    const char* name;
    const char* in;
  } people[] = {{"A", "sine:440"}, {"B", "sine:660"}, {"C", "none"}};
  std::vector<std::pair<std::string, ChildProcess>> clients;
  for (const auto& p : people) {
    const ClientSpec spec = voice_client(
        dir, p.name, p.in, "file:" + dir.file(std::string(p.name) + ".wav"), kDuration);
    clients.emplace_back(
        p.name, start_client(server.port(), spec, dir.file(std::string(p.name) + ".stderr")));
  }
  ASSERT_TRUE(server.wait_for_stderr("joined as participant", 3, 10s)) << server.stderr_text();
  wait_for_clients(dir, clients, std::chrono::seconds(int(kDuration) + 10));
  if (HasFatalFailure()) return;

  const Recording a = read_recording(dir.file("A.wav"));
  const Recording b = read_recording(dir.file("B.wav"));
  const Recording c = read_recording(dir.file("C.wav"));
  for (const auto* rec : {&a, &b, &c}) {
    // Played in real time from the start: the whole call, and enough of it to judge.
    ASSERT_GT(rec->seconds(), kSkipSeconds + 4) << "a recording is too short to judge";
    EXPECT_LT(rec->seconds(), kDuration + 1) << "a recording is longer than the call";
  }
  expect_recording("A", a, {kHigh}, {kLow});
  expect_recording("B", b, {kLow}, {kHigh});
  expect_recording("C", c, {kLow, kHigh}, {});
  // The two talkers are mixed alike for C: neither is ducked under the other for good.
  const float c_low = audio::goertzel_power(c.after(kSkipSeconds), kLow);
  const float c_high = audio::goertzel_power(c.after(kSkipSeconds), kHigh);
  EXPECT_LT(std::max(c_low, c_high), 4 * std::min(c_low, c_high))
      << "C hears one talker more than 6 dB louder than the other: "
      << describe(c.after(kSkipSeconds));
  expect_no_clipping("A", a);
  expect_no_clipping("B", b);
  expect_no_clipping("C", c);

  const std::pair<const char*, const Recording*> recordings[] = {{"A", &a}, {"B", &b}, {"C", &c}};
  for (const auto& [name, rec] : recordings) {
    const nlohmann::json audio_stats =
        read_json_file(dir.file(std::string(name) + ".json")).at("audio");
    std::printf("[ voice    ] %s: peak %.3f, %s; mouth-to-ear p50 %.1f ms, p95 %.1f ms; %s\n", name,
                double(peak_of(rec->samples)), describe(rec->after(kSkipSeconds)).c_str(),
                p50(audio_stats), p95(audio_stats), audio_stats.dump().c_str());
  }
}

// With voice on, the server still makes no heap allocation after warm-up: three talkers
// (and their video) for warm-up plus 8 s, the server stopped with everyone connected.
TEST(Voice, SteadyCallWithVoiceMakesNoHeapAllocation) {
  constexpr double kWarmup = 3;
  constexpr double kSteady = 8;
  TempDir dir;
  const std::string stats_file = dir.file("server.json");
  ServerProcess server({"--warmup", "3", "--stats-json", stats_file}, dir.file("server.stderr"));
  const struct {
    const char* name;
    const char* in;
    const char* video;
  } people[] = {{"A", "sine:440", "test:solid:ff0000"},
                {"B", "sine:660", "test:solid:00ff00"},
                {"C", "sine:880", "test:solid:0000ff"}};
  std::vector<std::pair<std::string, ChildProcess>> clients;
  for (const auto& p : people) {
    ClientSpec spec = voice_client(dir, p.name, p.in, "null", 60);  // still on when stopped
    spec.video = p.video;
    clients.emplace_back(
        p.name, start_client(server.port(), spec, dir.file(std::string(p.name) + ".stderr")));
  }
  ASSERT_TRUE(server.wait_for_stderr("joined as participant", 3, 10s)) << server.stderr_text();
  ASSERT_LT(server.seconds_up(), kWarmup)
      << "the clients joined only after the warm-up ended (a badly overloaded machine?)";

  server.sleep_until_up_for(kWarmup + kSteady);  // the window the stats at exit judge
  for (auto& [name, client] : clients) ASSERT_TRUE(client.running()) << name << " left early";

  const std::optional<ExitStatus> status = server.terminate(15s);
  ASSERT_TRUE(status) << "the server did not exit within 15 s of SIGTERM";
  EXPECT_TRUE(status->success()) << status->describe() << "; stderr:\n" << server.stderr_text();

  const nlohmann::json stats = read_json_file(stats_file);
  SCOPED_TRACE("server stats at exit: " + stats.dump());
  EXPECT_TRUE(stats.at("warmed_up").get<bool>());
  EXPECT_GE(stats.at("uptime_s").get<double>(), kWarmup + kSteady);
  // The server's memory report at exit (in its stderr) says which site or pool grew.
  EXPECT_EQ(stats.at("heap").at("steady_allocs_per_s").get<double>(), 0.0)
      << "the server allocated on the heap in steady state with voice on; its stderr:\n"
      << server.stderr_text();
  EXPECT_EQ(stats.at("heap").at("steady_bytes_per_s").get<double>(), 0.0);
  EXPECT_EQ(stats.at("clients_peak").get<int>(), 3);

  // The voice really flowed all along: each client heard the other two talking.
  for (auto& [name, client] : clients) {
    client.send_signal(SIGTERM);
    const std::optional<ExitStatus> ended = client.wait_for(10s);
    ASSERT_TRUE(ended) << name << " did not stop on SIGTERM";
    const nlohmann::json audio_stats = read_json_file(dir.file(name + ".json")).at("audio");
    SCOPED_TRACE(name + "'s audio stats: " + audio_stats.dump());
    // Connected for about warm-up + 8 s at 50 packets/s: at least 6 s worth.
    EXPECT_GE(audio_stats.at("packets_received").get<int64_t>(), 6 * audio::kFramesPerSecond)
        << name << " received fewer voice packets than 6 s of a " << kWarmup + kSteady << " s call";
    EXPECT_GE(audio_stats.at("packets_sent").get<int64_t>(), 6 * audio::kFramesPerSecond)
        << name << " sent fewer voice packets than 6 s of a " << kWarmup + kSteady << " s call";
  }
}

// A muted talker is not heard, though its microphone makes a tone; the others are.
TEST(Voice, MutedTalkerIsNotHeard) {
  constexpr double kDuration = 6;
  TempDir dir;
  ServerProcess server({}, dir.file("server.stderr"));
  std::vector<std::pair<std::string, ChildProcess>> clients;
  ClientSpec muted = voice_client(dir, "M", "sine:440", "null", kDuration);
  muted.extra_args.push_back("--muted");
  clients.emplace_back("M", start_client(server.port(), muted, dir.file("M.stderr")));
  // A talker who is not muted, so the listener is shown to hear what is sent.
  clients.emplace_back(
      "T", start_client(server.port(), voice_client(dir, "T", "sine:660", "null", kDuration),
                        dir.file("T.stderr")));
  clients.emplace_back(
      "L", start_client(server.port(),
                        voice_client(dir, "L", "none", "file:" + dir.file("L.wav"), kDuration),
                        dir.file("L.stderr")));
  ASSERT_TRUE(server.wait_for_stderr("joined as participant", 3, 10s)) << server.stderr_text();
  wait_for_clients(dir, clients, std::chrono::seconds(int(kDuration) + 10));
  if (HasFatalFailure()) return;

  const Recording l = read_recording(dir.file("L.wav"));
  ASSERT_GT(l.seconds(), kSkipSeconds + 3) << "the recording is too short to judge";
  expect_recording("L", l, {kHigh}, {kLow});
  // Not even in the first seconds: a muted client sends no sound from the start.
  EXPECT_LT(audio::goertzel_amplitude(l.samples, kLow), kWhole.absent_amplitude)
      << "the listener hears the muted talker: " << describe(l.samples);
  expect_no_clipping("L", l);

  const nlohmann::json m = read_json_file(dir.file("M.json")).at("audio");
  EXPECT_TRUE(m.at("muted").get<bool>()) << m.dump();
  const nlohmann::json t = read_json_file(dir.file("T.json")).at("audio");
  EXPECT_FALSE(t.at("muted").get<bool>()) << t.dump();
  std::printf("[ voice    ] L: %s; M: %s\n", describe(l.after(kSkipSeconds)).c_str(),
              m.dump().c_str());
}

// One talker, one listener on loopback: packets arrive, nothing is lost, and the delay from
// capture to playback is that of a call, not of a growing queue.
TEST(Voice, ListenerStatsShowPacketsAndASaneMouthToEarDelay) {
  constexpr double kDuration = 6;
  TempDir dir;
  ServerProcess server({}, dir.file("server.stderr"));
  std::vector<std::pair<std::string, ChildProcess>> clients;
  clients.emplace_back(
      "T", start_client(server.port(), voice_client(dir, "T", "sine:440", "null", kDuration),
                        dir.file("T.stderr")));
  clients.emplace_back(
      "L", start_client(server.port(), voice_client(dir, "L", "none", "null", kDuration),
                        dir.file("L.stderr")));
  ASSERT_TRUE(server.wait_for_stderr("joined as participant", 2, 10s)) << server.stderr_text();
  wait_for_clients(dir, clients, std::chrono::seconds(int(kDuration) + 10));
  if (HasFatalFailure()) return;

  const nlohmann::json t = read_json_file(dir.file("T.json")).at("audio");
  const nlohmann::json l = read_json_file(dir.file("L.json")).at("audio");
  SCOPED_TRACE("talker: " + t.dump() + "\nlistener: " + l.dump());
  EXPECT_GT(t.at("packets_sent").get<int64_t>(), 0);
  EXPECT_EQ(t.at("packets_received").get<int64_t>(), 0) << "the talker heard itself";
  const int64_t received = l.at("packets_received").get<int64_t>();
  EXPECT_GT(received, 0);
  EXPECT_EQ(l.at("packets_sent").get<int64_t>(), 0);
  // A listener cannot receive more than the talker sent (one mix per talker frame).
  EXPECT_LE(received, t.at("packets_sent").get<int64_t>() + 5);
  // Over TCP on loopback nothing is lost on the way; a frame missed now and then (a timer
  // firing late on a busy machine) is a glitch, but not one in ten.
  EXPECT_LE(l.at("lost").get<int64_t>(), received / 10)
      << "packets the listener lost, of " << received << " received";
  EXPECT_LE(l.at("late").get<int64_t>(), received / 10)
      << "packets that came too late to play, of " << received << " received";
  EXPECT_LE(l.at("concealed").get<int64_t>(), received / 10)
      << "frames the listener concealed, of " << received << " received";
  EXPECT_GT(p50(l), 0.0) << "the listener's mouth-to-ear delay, median (ms)";
  EXPECT_LT(p50(l), 500.0) << "the listener's mouth-to-ear delay, median (ms)";
  EXPECT_GE(p95(l), p50(l)) << "the listener's mouth-to-ear delay, p95 and median (ms)";
  EXPECT_LT(p95(l), 1000.0) << "the listener's mouth-to-ear delay, p95 (ms)";
  std::printf("[ voice    ] loopback mouth-to-ear p50 %.1f ms, p95 %.1f ms; listener %s\n", p50(l),
              p95(l), l.dump().c_str());
}

}  // namespace
}  // namespace ttycall::itest
