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
#include "server_process.h"
#include "temp_dir.h"
#include "text_file.h"
#include "tone_check.h"

namespace ttycall::itest {
namespace {

using namespace std::chrono_literals;
namespace audio = media::audio;

constexpr double kLow = 440;   // A's tone
constexpr double kHigh = 660;  // B's tone

std::string read_text(const std::string& path) {
  return read_file_or_empty(path);
}

std::string describe(std::span<const float> samples) {
  return describe_tones(samples, {kLow, kHigh});
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
