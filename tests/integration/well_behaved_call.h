#pragma once
// Two well-behaved participants kept in a call while a test attacks the server: alice (the
// moving pattern, no microphone) and bob (a tone, no camera), whom alice hears. At the end
// the test counts what alice received: her frames, and how many of bob's voice packets.
// Every hostile-network test (hostile input, pre-authentication, names, security) judges
// "unharmed" with this one class.
#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "client_process.h"
#include "server_process.h"
#include "temp_dir.h"

namespace ttycall::itest {

struct WellBehavedCounts {
  std::string viewer = "alice", talker = "bob";
  double alice_fps = 0;      // frames over alice's own first-to-last-frame window
  int64_t alice_frames = 0;  // frames alice received
  int64_t voice_sent = 0;    // voice packets bob sent
  int64_t voice_heard = 0;   // of them, those alice received
};

// Who they are: other names where a test needs "alice" or "bob" for itself.
struct WellBehavedNames {
  std::string viewer = "alice";
  std::string talker = "bob";
};

class WellBehavedCall {
 public:
  // Starts both clients on `server` (their files in `dir`, `extra` added to both: a
  // password, a server key) and waits (bounded) until the server says both joined.
  WellBehavedCall(ServerProcess& server, const TempDir& dir, std::vector<std::string> extra = {},
                  WellBehavedNames names = {});

  bool joined() const { return joined_; }

  // Stops bob, then alice (after a measuring window of at least 5 s from their joining, so
  // a quick attack is still judged over seconds of call), and returns their counts;
  // nullopt, with a test failure, if either was thrown out or did not end cleanly.
  std::optional<WellBehavedCounts> stop();

  // stop(), then checks that alice kept her frame rate (at least `min_fps`; the server runs
  // at 30) and heard at least 80 % of bob's voice packets (a call without an attacker loses
  // a few; an attacker that crowds voice out takes two thirds).
  void stop_and_expect_unharmed(double min_fps = 20);

 private:
  ClientSpec spec(const std::string& name, const std::string& video, const std::string& audio,
                  const std::vector<std::string>& extra) const;

  const TempDir& dir_;
  WellBehavedNames names_;
  ClientSpec alice_, bob_;
  ChildProcess alice_process_, bob_process_;
  bool joined_ = false;
  std::chrono::steady_clock::time_point joined_at_{};
};

// Checks counts from WellBehavedCall::stop() as stop_and_expect_unharmed() does.
void expect_unharmed(const WellBehavedCounts& counts, double min_fps = 20);

}  // namespace ttycall::itest
