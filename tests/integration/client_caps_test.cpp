// What a server can make a client do: a hostile or broken server asks for 1080p at 120 fps,
// and the client sends no more than its own limits (--max-camera, --max-camera-fps), in
// the shape the server asked for.
#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <string>
#include <vector>

#include "client_process.h"
#include "scripted_server.h"
#include "temp_dir.h"
#include "text_file.h"
#include "wait_until.h"

namespace ttycall::itest {
namespace {

using namespace std::chrono_literals;

struct CapsRun {
  std::vector<ReceivedCameraFrame> frames;
  std::string client_stderr;
};

// A client joins a scripted server that asks for `request`; returns what it sent once at
// least `frames` camera frames came (or the wait ran out).
CapsRun run_against_request(const net::VideoRequest& request,
                            const std::vector<std::string>& client_args, size_t frames) {
  ServerScript script;
  script.after_join = [request](ScriptedServer& server) {
    server.send_message(net::MsgType::kVideoRequest, request);
  };
  ScriptedServer server(std::move(script));
  TempDir dir;
  ClientSpec spec;
  spec.extra_args = {"--insecure", "--audio", "none"};
  spec.extra_args.insert(spec.extra_args.end(), client_args.begin(), client_args.end());
  ChildProcess client = start_client(server.port(), spec, dir.file("client.stderr"));
  wait_until([&] { return server.camera_frames().size() >= frames || !client.running(); }, 30s);
  client.terminate(5s);
  server.stop();
  return {server.camera_frames(), read_file_or_empty(dir.file("client.stderr"))};
}

// Frames the sender's clock says it sent, against the most its rate allows over that span.
void expect_at_most_fps(const std::vector<ReceivedCameraFrame>& frames, int fps) {
  ASSERT_GE(frames.size(), 2u);
  const double span_s = double(frames.back().capture_us - frames.front().capture_us) / 1e6;
  // Paced at 1/fps from the first frame, never in bursts: at most fps * span + 1 frames, and
  // one more for the clock's rounding.
  EXPECT_LE(double(frames.size()), fps * span_s + 2)
      << frames.size() << " frames in " << span_s << " s";
}

TEST(ClientCaps, A1080pRequestAt120FpsGetsTheClientsLimitsInTheSameShape) {
  const CapsRun run = run_against_request({1920, 1080, 120}, {}, 20);
  ASSERT_GE(run.frames.size(), 20u) << run.client_stderr;
  for (const ReceivedCameraFrame& f : run.frames) {
    EXPECT_EQ(f.width, 640);  // the default --max-camera 640x480, 16:9 kept
    EXPECT_EQ(f.height, 360);
  }
  expect_at_most_fps(run.frames, 30);  // the default --max-camera-fps
}

TEST(ClientCaps, TheLimitsAreTheUsersToSet) {
  const CapsRun run =
      run_against_request({400, 800, 60}, {"--max-camera", "320x240", "--max-camera-fps", "10"}, 8);
  ASSERT_GE(run.frames.size(), 8u) << run.client_stderr;
  for (const ReceivedCameraFrame& f : run.frames) {
    EXPECT_EQ(f.width, 120);  // tall: the height binds, 240 * 400 / 800
    EXPECT_EQ(f.height, 240);
  }
  expect_at_most_fps(run.frames, 10);
}

TEST(ClientCaps, ARequestWithinTheLimitsIsKeptAsItIs) {
  const CapsRun run = run_against_request({160, 96, 15}, {}, 5);
  ASSERT_GE(run.frames.size(), 5u) << run.client_stderr;
  for (const ReceivedCameraFrame& f : run.frames) {
    EXPECT_EQ(f.width, 160);
    EXPECT_EQ(f.height, 96);
  }
}

}  // namespace
}  // namespace ttycall::itest
