#include "well_behaved_call.h"

#include <gtest/gtest.h>
#include <signal.h>

#include <cstdio>
#include <nlohmann/json.hpp>
#include <thread>

#include "json_file.h"
#include "media/audio/audio_format.h"
#include "text_file.h"

namespace ttycall::itest {
namespace {

using namespace std::chrono_literals;

// SIGTERM, then the stats file it wrote at exit; an empty object (and a test failure) if
// it did not end cleanly.
nlohmann::json stop_for_stats(ChildProcess& p, const ClientSpec& spec) {
  EXPECT_TRUE(p.send_signal(SIGTERM));
  const auto status = p.wait_for(10s);
  EXPECT_TRUE(status && status->success()) << spec.name << " did not end cleanly";
  if (!status || !status->success()) return nlohmann::json::object();
  return read_json_file(spec.stats_json);
}

}  // namespace

WellBehavedCall::WellBehavedCall(ServerProcess& server, const TempDir& dir,
                                 std::vector<std::string> extra, WellBehavedNames names)
    : dir_(dir), names_(std::move(names)) {
  alice_ = spec(names_.viewer, "test:moving", "none", extra);
  bob_ = spec(names_.talker, "none", "sine:440", extra);
  // A call made again on the same server (a reference before the attack) counts its own
  // joins.
  const std::string log = server.stderr_text();
  const std::string alice_joined = names_.viewer + " joined as participant";
  const std::string bob_joined = names_.talker + " joined as participant";
  const size_t alice_before = count_occurrences(log, alice_joined);
  const size_t bob_before = count_occurrences(log, bob_joined);
  alice_process_ = start_client(server.port(), alice_, dir.file(names_.viewer + ".stderr"));
  bob_process_ = start_client(server.port(), bob_, dir.file(names_.talker + ".stderr"));
  joined_ = server.wait_for_stderr(alice_joined, alice_before + 1, 20s) &&
            server.wait_for_stderr(bob_joined, bob_before + 1, 20s);
  joined_at_ = std::chrono::steady_clock::now();
}

ClientSpec WellBehavedCall::spec(const std::string& name, const std::string& video,
                                 const std::string& audio,
                                 const std::vector<std::string>& extra) const {
  ClientSpec s;
  s.name = name;
  s.video = video;
  s.duration = 120;  // a safety net: the test stops them
  s.stats_json = dir_.file(name + ".json");
  s.extra_args = {"--audio", audio, "--audio-out", "null"};
  s.extra_args.insert(s.extra_args.end(), extra.begin(), extra.end());
  return s;
}

std::optional<WellBehavedCounts> WellBehavedCall::stop() {
  std::this_thread::sleep_until(joined_at_ + 5s);  // a window of seconds, attack or not
  EXPECT_TRUE(joined_) << "the well-behaved call never started";
  EXPECT_TRUE(alice_process_.running()) << names_.viewer << " was thrown out";
  EXPECT_TRUE(bob_process_.running()) << names_.talker << " was thrown out";
  if (!joined_ || !alice_process_.running() || !bob_process_.running()) return std::nullopt;
  const nlohmann::json bob = stop_for_stats(bob_process_, bob_);
  std::this_thread::sleep_for(300ms);  // his last packets reach alice
  const nlohmann::json alice = stop_for_stats(alice_process_, alice_);
  if (alice.empty() || bob.empty()) return std::nullopt;
  WellBehavedCounts counts;
  counts.viewer = names_.viewer;
  counts.talker = names_.talker;
  counts.alice_fps = alice.value("fps", 0.0);
  counts.alice_frames = alice.value("frames_received", int64_t(0));
  counts.voice_sent = bob.at("audio").at("packets_sent").get<int64_t>();
  counts.voice_heard = alice.at("audio").at("packets_received").get<int64_t>();
  std::printf("[ good     ] %s: %lld frames (%.1f fps), heard %lld of %s's %lld voice packets\n",
              names_.viewer.c_str(), static_cast<long long>(counts.alice_frames), counts.alice_fps,
              static_cast<long long>(counts.voice_heard), names_.talker.c_str(),
              static_cast<long long>(counts.voice_sent));
  return counts;
}

void WellBehavedCall::stop_and_expect_unharmed(double min_fps) {
  const std::optional<WellBehavedCounts> counts = stop();
  ASSERT_TRUE(counts.has_value());
  expect_unharmed(*counts, min_fps);
}

void expect_unharmed(const WellBehavedCounts& counts, double min_fps) {
  EXPECT_GE(counts.alice_fps, min_fps) << "alice measured " << counts.alice_fps << " fps ("
                                       << counts.alice_frames << " frames); the server runs at 30";
  // At least 4 s of frames at that rate: she was in the call, not just at its edges.
  EXPECT_GE(counts.alice_frames, int64_t(4 * min_fps)) << "alice hardly saw anything";
  EXPECT_GE(counts.voice_sent, 3 * media::audio::kFramesPerSecond) << "bob hardly talked";
  EXPECT_GE(counts.voice_heard * 10, counts.voice_sent * 8)
      << "alice received " << counts.voice_heard << " of bob's " << counts.voice_sent
      << " voice packets";
}

}  // namespace ttycall::itest
