// Specification of the bench report (src/load/report.h): how one run's raw figures become
// the summary, the table and the JSON that `ttycall bench` prints. No server: the runs are
// made up.
#include "load/report.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace ttycall::load {
namespace {

ClientWindow window(int index, ViewSize size, uint64_t frames, double p95_ms) {
  ClientWindow w;
  w.index = index;
  w.size = size;
  w.seconds = 2;
  w.frames = frames;
  w.bytes_received = frames * 1000;
  w.video_bytes = frames * 900;
  w.terminal_bytes = frames * 4000;
  w.latency_p50_ms = p95_ms > 0 ? p95_ms - 5 : 0;  // 0: its own tile never came back
  w.latency_p95_ms = p95_ms;
  w.latency_p99_ms = p95_ms > 0 ? p95_ms + 5 : 0;
  return w;
}

constexpr ViewSize kBig{160, 48};
constexpr ViewSize kSmall{80, 24};

BenchResult two_sizes_run() {
  BenchResult r;
  r.config.clients = 4;
  r.config.sizes = {kBig, kSmall};
  r.window_s = 2;
  r.clients_receiving = 4;
  r.clients = {window(0, kBig, 60, 30), window(1, kSmall, 58, 40), window(2, kBig, 50, 0),
               window(3, kSmall, 60, 50)};
  r.upstream_bytes_per_s = {100, 300};
  return r;
}

TEST(LoadReportSpread, OfSomeValues) {
  const Spread s = spread_of({3, 1, 2, 4});
  EXPECT_EQ(s.count, 4);
  EXPECT_EQ(s.min, 1);
  EXPECT_EQ(s.max, 4);
  EXPECT_EQ(s.median, 2.5);
  EXPECT_EQ(s.mean, 2.5);
  EXPECT_EQ(s.total, 10);
  EXPECT_EQ(spread_of({5, 1, 3}).median, 3);
}

TEST(LoadReportSpread, OfNothingIsAllZero) {
  const Spread s = spread_of({});
  EXPECT_EQ(s.count, 0);
  EXPECT_EQ(s.median, 0);
  EXPECT_EQ(s.max, 0);
}

TEST(LoadReportSizes, OneSomeOrMany) {
  EXPECT_EQ(describe_sizes({kBig}), "size 160x48");
  EXPECT_EQ(describe_sizes({kBig, kSmall}), "sizes 160x48,80x24");
  std::vector<ViewSize> many;
  for (int i = 0; i < 10; ++i) many.push_back({100 + i, 30});
  EXPECT_EQ(describe_sizes(many), "10 sizes 100x30,101x30,102x30,...,109x30");
}

TEST(LoadReportSummary, LatencyIsTheMedianOverClientsWithSamples) {
  const BenchSummary s = summarize(two_sizes_run());
  EXPECT_EQ(s.latency_clients, 3);  // client 2 never saw its own tile
  EXPECT_EQ(s.latency_p95_ms, 40);  // median of 30, 40, 50
  EXPECT_EQ(s.latency_p50_ms, 35);
  EXPECT_EQ(s.latency_worst_p95_ms, 50);
  EXPECT_EQ(s.latency_worst_p99_ms, 55);
  EXPECT_EQ(s.fps.count, 4);  // every client counts for fps
  EXPECT_EQ(s.fps.min, 25);
  EXPECT_EQ(s.fps.max, 30);
  EXPECT_EQ(s.downstream_bytes_per_s.total, (60 + 58 + 50 + 60) * 1000 / 2.0);
  EXPECT_EQ(s.upstream_bytes_per_s.median, 200);
}

TEST(LoadReportSummary, EachSizeOnceInTheOrderOfFirstUse) {
  const BenchSummary s = summarize(two_sizes_run());
  ASSERT_EQ(s.sizes.size(), 2u);
  EXPECT_EQ(to_string(s.sizes[0].size), "160x48");
  EXPECT_EQ(s.sizes[0].clients, 2);
  EXPECT_EQ(s.sizes[0].fps.median, 27.5);
  EXPECT_EQ(s.sizes[0].latency_p95_ms, 30);  // only client 0 has samples
  EXPECT_EQ(to_string(s.sizes[1].size), "80x24");
  EXPECT_EQ(s.sizes[1].latency_p95_ms, 45);
}

TEST(LoadReportTable, AGivenServerIsNotMeasuredAndSaysSo) {
  BenchResult r = two_sizes_run();
  r.host = "127.0.0.1";
  r.port = 9000;
  const std::string table = format_report(r, summarize(r));
  EXPECT_NE(table.find("server 127.0.0.1:9000 (given; its process is not measured)"),
            std::string::npos)
      << table;
  EXPECT_NE(table.find("  server CPU                  n/a\n"), std::string::npos) << table;
  EXPECT_EQ(table.find("WARNING"), std::string::npos) << table;
  // With more than one size, a row per size: downstream and terminal writes per client.
  EXPECT_NE(table.find("  80x24            2     29.0        29.5     45.0       29.5 kB/s      "
                       "118.0 kB/s\n"),
            std::string::npos)
      << table;
  EXPECT_NE(table.find("  terminal writes per client  median 118.0 kB/s"), std::string::npos)
      << table;
}

TEST(LoadReportTable, WarnsWhenClientsMissedTheCall) {
  BenchResult r = two_sizes_run();
  r.clients_receiving = 3;
  r.clients_failed = 1;
  const std::string table = format_report(r, summarize(r));
  EXPECT_NE(
      table.find("WARNING: 3 of 4 clients received frames before the warm-up; 1 ended with an "
                 "error\n"),
      std::string::npos)
      << table;
}

TEST(LoadReportJson, StableKeysAndPerClientFigures) {
  const BenchResult r = two_sizes_run();
  const nlohmann::ordered_json j = report_json(r, summarize(r));
  EXPECT_EQ(j["schema"], "ttycall-bench/1");
  EXPECT_EQ(j["latency_ms"]["method"], "median_of_client_percentiles");
  EXPECT_EQ(j["upstream_bytes_per_s"]["connections"], 2);
  EXPECT_TRUE(j["server"]["cpu_s_per_s"].is_null());
  ASSERT_EQ(j["clients"].size(), 4u);
  EXPECT_EQ(j["clients"][3]["size"], "80x24");
  EXPECT_EQ(j["clients"][3]["downstream_bytes_per_s"], 30000.0);
  EXPECT_EQ(j["by_size"][1]["clients"], 2);
  EXPECT_EQ(j["config"]["rooms"], 1);
}

TEST(LoadRooms, ClientsTakeTheRoomsInTurn) {
  EXPECT_EQ(room_name(0, 3), "bench-1");
  EXPECT_EQ(room_name(1, 3), "bench-2");
  EXPECT_EQ(room_name(2, 3), "bench-3");
  EXPECT_EQ(room_name(3, 3), "bench-1");
  BenchResult r = two_sizes_run();
  r.config.rooms = 2;
  EXPECT_EQ(report_json(r, summarize(r))["config"]["rooms"], 2);
  EXPECT_NE(format_report(r, summarize(r)).find(" clients in 2 rooms,"), std::string::npos);
}

}  // namespace
}  // namespace ttycall::load
