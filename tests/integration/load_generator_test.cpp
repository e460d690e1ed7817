// The load generator in this process against a real server: stop() must end every client and
// let each lane's io thread run dry before the clients go, because their cancelled
// operations live in each client's own handler memory (an io_context destroyed with one
// still queued touches freed memory: the bench crashed so, now and then, at its end). Under
// the sanitizers a use-after-free here aborts the test.
#include <gtest/gtest.h>

#include <chrono>
#include <string>
#include <vector>

#include "load/generator.h"
#include "server_process.h"
#include "temp_dir.h"
#include "wait_until.h"

namespace ttycall::itest {
namespace {

using namespace std::chrono_literals;

TEST(LoadGenerator, StopsEveryClientCleanlyRightAfterTheyGotGoing) {
  TempDir dir;
  constexpr int kClients = 24;
  ServerProcess server({"--max-connections-per-ip", "100", "--max-pending-per-ip", "100",
                        "--connections-per-ip-per-second", "1000", "--handshakes-per-ip-per-second",
                        "1000", "--identity", dir.file("server_key")},
                       dir.file("server.stderr"));
  for (int round = 0; round < 4; ++round) {
    SCOPED_TRACE("round " + std::to_string(round));
    load::LoadOptions options;
    options.port = server.port();
    options.clients = kClients;
    options.sizes = {{40, 12}, {60, 20}};
    options.receive_only = round % 2 == 0;
    options.server_key = server.server_key();
    load::LoadGenerator generator(options);
    generator.start();
    ASSERT_TRUE(wait_until([&] { return generator.progress().receiving == kClients; }, 60s))
        << server.stderr_text();
    // Every client is in the call, each with reads, writes and timers outstanding.
    EXPECT_EQ(generator.stop(5.0), 0) << "clients that ended with an error";
  }
}

}  // namespace
}  // namespace ttycall::itest
