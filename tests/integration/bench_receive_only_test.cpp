// `ttycall bench --receive-only`: the load generator's clients still receive, open and count
// every frame (and measure its latency), but decode and render none, so a big call measures
// the server rather than the clients sharing its machine.
#include <gtest/gtest.h>

#include <chrono>
#include <string>

#include "json_file.h"
#include "process.h"
#include "server_process.h"
#include "temp_dir.h"
#include "ttycall_binary.h"

namespace ttycall::itest {
namespace {

using namespace std::chrono_literals;

nlohmann::json run_bench(TempDir& dir, const ServerProcess& server, bool receive_only) {
  const std::string json = dir.file(receive_only ? "receive_only.json" : "rendering.json");
  std::vector<std::string> args = {
      ttycall_binary(), "bench", "--host", "127.0.0.1", "--port",   std::to_string(server.port()),
      "--clients",      "2",     "--size", "60x20",     "--warmup", "1",
      "--duration",     "2",     "--json", json};
  if (receive_only) args.push_back("--receive-only");
  ChildProcess bench =
      ChildProcess::start(args, dir.file("bench.stdout"), dir.file("bench.stderr"));
  const auto status = bench.wait_for(90s);
  EXPECT_TRUE(status && status->success()) << "the bench did not finish well";
  return read_json_file(json);
}

TEST(BenchReceiveOnly, ClientsCountEveryFrameWithoutDrawingOne) {
  TempDir dir;
  ServerProcess server({"--max-connections-per-ip", "8"}, dir.file("server.stderr"));
  const nlohmann::json rendering = run_bench(dir, server, false);
  const nlohmann::json receive_only = run_bench(dir, server, true);
  EXPECT_EQ(receive_only["config"]["receive_only"], true);
  EXPECT_EQ(rendering["config"]["receive_only"], false);
  for (const nlohmann::json* run : {&rendering, &receive_only}) {
    EXPECT_EQ((*run)["clients_receiving"], 2);
    EXPECT_GT((*run)["fps"]["median"].get<double>(), 0);
    EXPECT_GT((*run)["downstream_bytes_per_s"]["median"].get<double>(), 0);
    EXPECT_GT((*run)["latency_ms"]["p50"].get<double>(), 0);  // measured on the header alone
  }
  // Rendering clients count the text they would write; receive-only ones write none.
  EXPECT_GT(rendering["terminal_bytes_per_s"]["median"].get<double>(), 0);
  EXPECT_EQ(receive_only["terminal_bytes_per_s"]["median"].get<double>(), 0);
}

}  // namespace
}  // namespace ttycall::itest
