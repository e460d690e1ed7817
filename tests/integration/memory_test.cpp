// The server's memory, seen from outside: its stats file (--stats-json) and its Memory
// Report (SIGUSR1). In steady state it must make no heap allocation at all, clients that
// come and go must leave nothing behind, and the report must answer for itself.
#include <gtest/gtest.h>
#include <signal.h>

#include <chrono>
#include <cmath>
#include <cstdio>
#include <deque>
#include <nlohmann/json.hpp>
#include <string>
#include <thread>
#include <vector>

#include "client_process.h"
#include "json_file.h"
#include "memory_report_parser.h"
#include "server_process.h"
#include "temp_dir.h"
#include "text_file.h"
#include "wait_until.h"

namespace ttycall::itest {
namespace {

using namespace std::chrono_literals;

constexpr std::string_view kReportEnd = "=== End of Memory Report ===";

// Which pools took buffers from the heap between two reports: "video.decoded 7 -> 8".
std::string pool_growth(const MemoryReport& from, const MemoryReport& to) {
  std::string out;
  for (const PoolLine& p : to.pools) {
    const PoolLine* was = from.pool(p.name);
    const int64_t before = was ? was->allocated : 0;
    if (p.allocated != before) {
      out += "  " + p.name + ": " + std::to_string(before) + " -> " + std::to_string(p.allocated) +
             " buffers\n";
    }
  }
  return out.empty() ? "  none\n" : out;
}

// Four clients with two distinct views (two at 80x24, two at 120x40), moving video, in
// `rooms` rooms (client i in room i % rooms): after warm-up the server must not allocate at
// all, for at least 10 s. The stats file is checked twice: as the periodic report writes it
// while the call runs (the steady state alone), and as the server writes it at exit after
// SIGTERM (the required figure).
void expect_steady_calls_without_allocation(int rooms) {
  constexpr double kWarmup = 4;
  constexpr double kSteady = 11;  // at least 10 s of steady state
  TempDir dir;
  const std::string stats_file = dir.file("server.json");
  ServerProcess server({"--warmup", "4", "--fps", "30", "--stats-json", stats_file,
                        "--memory-report", dir.file("memory.txt"), "--memory-report-interval", "1"},
                       dir.file("server.stderr"));
  const char* sizes[] = {"80x24", "80x24", "120x40", "120x40"};
  std::vector<ChildProcess> clients;
  for (int i = 0; i < 4; ++i) {
    ClientSpec spec;
    spec.name = "mover" + std::to_string(i + 1);
    spec.video = "test:moving";
    spec.size = sizes[i];
    spec.duration = 60;  // still connected when the server is stopped
    spec.extra_args = {"--seed", std::to_string(i + 1), "--room", "r" + std::to_string(i % rooms)};
    clients.push_back(start_client(server.port(), spec, dir.file(spec.name + ".stderr")));
  }
  ASSERT_TRUE(server.wait_for_stderr("joined as participant", 4, 10s)) << server.stderr_text();
  // Joining is allowed to allocate, but only during warm-up.
  ASSERT_LT(server.seconds_up(), kWarmup)
      << "the clients joined only after the warm-up ended (a badly overloaded machine?)";

  // What the periodic reports say after warm-up (for failure messages).
  auto steady_pool_growth = [&] {
    const std::vector<MemoryReport> reports =
        memory_reports_in(read_file_or_empty(dir.file("memory.txt")));
    const MemoryReport* first = nullptr;
    for (const MemoryReport& r : reports) {
      if (first == nullptr && r.uptime_s >= kWarmup) first = &r;
    }
    if (first == nullptr) return std::string("(no report after warm-up)");
    char span[64];
    std::snprintf(span, sizeof span, "(uptime %.1f s to %.1f s)", first->uptime_s,
                  reports.back().uptime_s);
    return std::string("pools that grew after warm-up ") + span + ":\n" +
           pool_growth(*first, reports.back()) + "the last report:\n" +
           joined_lines(reports.back().lines);
  };

  // The steady state alone: the stats file the periodic report wrote once 10 s of it passed.
  nlohmann::json running;
  ASSERT_TRUE(wait_until(
      [&] {
        try {
          running = read_json_file(stats_file);
          return running.at("uptime_s").get<double>() >= kWarmup + kSteady - 1;
        } catch (const std::exception&) {
          return false;  // not written yet
        }
      },
      std::chrono::seconds(int(kWarmup + kSteady) + 15), 200ms))
      << "no stats file with " << kWarmup + kSteady - 1 << " s of uptime";
  for (ChildProcess& client : clients) ASSERT_TRUE(client.running()) << "a client left early";
  {
    SCOPED_TRACE("stats during the call: " + running.dump());
    EXPECT_TRUE(running.at("warmed_up").get<bool>());
    EXPECT_EQ(running.at("heap").at("steady_allocs_per_s").get<double>(), 0.0)
        << "the server allocated on the heap in steady state; " << steady_pool_growth();
    EXPECT_EQ(running.at("heap").at("steady_bytes_per_s").get<double>(), 0.0);
    EXPECT_GT(running.at("frames_sent").get<int64_t>(), 0);
  }

  // Stopped with the clients still connected: the file written at exit.
  const std::optional<ExitStatus> status = server.terminate(15s);
  ASSERT_TRUE(status) << "the server did not exit within 15 s of SIGTERM";
  const std::string log = server.stderr_text();
  EXPECT_TRUE(status->success()) << status->describe() << "; stderr:\n" << log;

  const nlohmann::json stats = read_json_file(stats_file);
  SCOPED_TRACE("stats at exit: " + stats.dump());
  EXPECT_TRUE(stats.at("warmed_up").get<bool>());
  EXPECT_GE(stats.at("uptime_s").get<double>(), kWarmup + 10);
  const nlohmann::json& heap = stats.at("heap");
  EXPECT_EQ(heap.at("steady_allocs_per_s").get<double>(), 0.0)
      << "the stats file written at exit counts heap allocations after warm-up";
  EXPECT_EQ(heap.at("steady_bytes_per_s").get<double>(), 0.0);
  EXPECT_GT(stats.at("frames_rendered").get<int64_t>(), 0);
  EXPECT_GT(stats.at("frames_sent").get<int64_t>(), 0);
  EXPECT_GT(stats.at("video_frames_in").get<int64_t>(), 0);
  EXPECT_EQ(stats.at("clients_peak").get<int>(), 4);
  EXPECT_EQ(stats.at("connections").get<int>(), 4);

  // Every report written during the call, after warm-up, says "stable".
  const std::vector<MemoryReport> reports =
      memory_reports_in(read_file_or_empty(dir.file("memory.txt")));
  int judged = 0, not_stable = 0;
  const MemoryReport* first_bad = nullptr;
  for (const MemoryReport& report : reports) {
    EXPECT_TRUE(report.problems.empty()) << report.problems.front();
    if (report.verdict == "warming-up") continue;
    ++judged;
    if (report.verdict != "stable") {
      ++not_stable;
      if (first_bad == nullptr) first_bad = &report;
    }
  }
  EXPECT_GE(judged, 5) << "too few reports after warm-up";
  EXPECT_EQ(not_stable, 0) << not_stable << " of " << judged
                           << " reports after warm-up are not \"stable\"; the first:\n"
                           << (first_bad ? joined_lines(first_bad->lines) : "");
}

TEST(Memory, SteadyCallOfFourClientsMakesNoHeapAllocation) {
  expect_steady_calls_without_allocation(1);
}

// The same with two rooms of two: each room's compositor and mixer tick on their own, and
// still nothing is allocated after warm-up.
TEST(Memory, SteadyCallsInTwoRoomsMakeNoHeapAllocation) {
  expect_steady_calls_without_allocation(2);
}

// 200 clients come and go, five at a time, each getting at least one frame; afterwards the
// server holds the same plain heap as after the first group of visitors, and no pooled
// buffer is still in use: nothing per client is left behind.
TEST(Memory, TwoHundredClientsComingAndGoingLeaveNothingBehind) {
  constexpr int kClients = 200;
  constexpr int kAtOnce = 5;
  TempDir dir;
  const std::string report_file = dir.file("memory.txt");
  ServerProcess server(
      {"--fps", "30", "--connections-per-ip-per-second", "1000", "--handshakes-per-ip-per-second",
       "1000", "--max-pending", "1000", "--max-pending-per-ip", "1000", "--warmup", "1",
       "--stats-json", dir.file("server.json"), "--memory-report", report_file},
      dir.file("server.stderr"));
  auto spec_for = [&](int i, double duration) {
    ClientSpec spec;
    spec.name = "visitor" + std::to_string(i);
    spec.video = "test:solid:ff8000";
    spec.size = "80x24";
    spec.duration = duration;
    spec.stats_json = dir.file(spec.name + ".json");
    return spec;
  };
  auto frames_of = [&](int i) {
    return read_json_file(dir.file("visitor" + std::to_string(i) + ".json"))
        .at("frames_received")
        .get<int64_t>();
  };

  // Baseline: a first group of visitors, as many at once as ever will be (kAtOnce, and one
  // more whose session may still be closing), has been and gone, so the pools and the
  // server's tables have grown to what the rest of the test needs.
  constexpr int kFirst = kAtOnce + 1;
  {
    std::vector<ChildProcess> first;
    for (int i = 0; i < kFirst; ++i) {
      first.push_back(start_client(server.port(), spec_for(i, 1.0),
                                   dir.file("visitor" + std::to_string(i) + ".stderr")));
    }
    for (int i = 0; i < kFirst; ++i) {
      const std::optional<ExitStatus> status = first[size_t(i)].wait_for(15s);
      ASSERT_TRUE(status && status->success())
          << read_file_or_empty(dir.file("visitor" + std::to_string(i) + ".stderr"));
      ASSERT_GE(frames_of(i), 1);
    }
  }
  ASSERT_TRUE(server.wait_for_stderr(" left: ", kFirst, 10s)) << server.stderr_text();
  server.process().send_signal(SIGUSR1);
  ASSERT_TRUE(wait_until(
      [&] { return count_occurrences(read_file_or_empty(report_file), kReportEnd) >= 1; }, 10s));

  // 200 visitors, kAtOnce at a time.
  std::deque<std::pair<int, ChildProcess>> running;
  int started = kFirst - 1, failed = 0, frameless = 0;
  std::string first_failure;
  while (started < kFirst - 1 + kClients || !running.empty()) {
    while (started < kFirst - 1 + kClients && int(running.size()) < kAtOnce) {
      const int i = ++started;
      running.emplace_back(i, start_client(server.port(), spec_for(i, 0.4),
                                           dir.file("visitor" + std::to_string(i) + ".stderr")));
    }
    auto& [i, client] = running.front();
    const std::optional<ExitStatus> status = client.wait_for(15s);
    if (!status || !status->success()) {
      ++failed;
      if (first_failure.empty()) {
        first_failure = "visitor" + std::to_string(i) + ": " +
                        (status ? status->describe() : "still running after 15 s") + "; stderr: " +
                        read_file_or_empty(dir.file("visitor" + std::to_string(i) + ".stderr"));
      }
    } else if (frames_of(i) < 1) {
      ++frameless;
    }
    running.pop_front();
  }
  EXPECT_EQ(failed, 0) << first_failure;
  EXPECT_EQ(frameless, 0) << "visitors that got no frame in their 0.4 s";

  ASSERT_TRUE(server.wait_for_stderr(" left: ", kFirst + kClients, 15s))
      << "the server did not see every visitor leave:\n"
      << server.stderr_text();
  server.process().send_signal(SIGUSR1);
  ASSERT_TRUE(wait_until(
      [&] { return count_occurrences(read_file_or_empty(report_file), kReportEnd) >= 2; }, 10s));

  const std::vector<MemoryReport> reports = memory_reports_in(read_file_or_empty(report_file));
  ASSERT_GE(reports.size(), 2u);
  const MemoryReport& before = reports[0];
  const MemoryReport& after = reports[1];
  SCOPED_TRACE("report after the first " + std::to_string(kFirst) + ":\n" +
               joined_lines(before.lines) + "report after all " +
               std::to_string(kFirst + kClients) + ":\n" + joined_lines(after.lines));
  EXPECT_TRUE(before.problems.empty());
  EXPECT_TRUE(after.problems.empty());

  // Plain heap (everything not from a pool or a named site, C++ and C libraries') and the
  // JPEG codecs' arenas are back where they were.
  for (const char* name : {"heap (unattributed)", "malloc (unattributed)", "media.jpeg"}) {
    const SiteLine none{};
    const SiteLine* heap_before = before.site(name);
    const SiteLine* heap_after = after.site(name);
    if (heap_before == nullptr) heap_before = &none;  // not listed: nothing live
    if (heap_after == nullptr) heap_after = &none;
    std::printf("[ itest    ] %s: %lld live / %.0f B after %d visitors, %lld / %.0f B after %d\n",
                name, (long long)heap_before->live_count, heap_before->live_bytes, kFirst,
                (long long)heap_after->live_count, heap_after->live_bytes, kFirst + kClients);
    EXPECT_LE(std::abs(heap_after->live_count - heap_before->live_count), 4)
        << name << ": live allocations: " << heap_before->live_count << " before, "
        << heap_after->live_count << " after";
    EXPECT_LE(std::abs(heap_after->live_bytes - heap_before->live_bytes), 4096.0)
        << name << ": live bytes: " << heap_before->live_bytes << " before, "
        << heap_after->live_bytes << " after";
  }
  // No client is left holding a pooled buffer: the per-client pools are idle. A frame pool
  // may still lend one buffer to the compositor's last frame (seen 0 or 1 when idle).
  for (const char* pool : {"session.receive", "video.decoded"}) {
    const PoolLine* p = after.pool(pool);
    ASSERT_NE(p, nullptr) << "no pool " << pool;
    EXPECT_EQ(p->in_use, 0) << pool;
  }
  for (const PoolLine& p : after.pools) {
    const PoolLine* was = before.pool(p.name);
    EXPECT_LE(p.in_use, (was ? was->in_use : 0) + 1) << p.name;
  }

  const std::optional<ExitStatus> status = server.terminate(15s);
  ASSERT_TRUE(status) << "the server did not exit within 15 s of SIGTERM";
  EXPECT_TRUE(status->success()) << status->describe() << "; stderr:\n" << server.stderr_text();
  const nlohmann::json stats = read_json_file(dir.file("server.json"));
  SCOPED_TRACE("server stats: " + stats.dump());
  EXPECT_EQ(stats.at("connections").get<int>(), kFirst + kClients);
  EXPECT_GE(stats.at("frames_sent").get<int64_t>(), kFirst + kClients);
}

// Visitor i of the large-view tests: the moving pattern at its own size, as real viewers
// are, near the largest a server allows (400x200, 398x199, ...).
ClientSpec large_viewer(int i, double duration) {
  ClientSpec spec;
  spec.name = "large" + std::to_string(i);
  spec.video = "test:moving";
  spec.size = std::to_string(400 - 2 * i) + "x" + std::to_string(200 - i);
  spec.duration = duration;
  spec.extra_args = {"--seed", std::to_string(i + 2)};
  return spec;
}

// Pools sized for a room's views shrink when those views leave: eight of the largest views
// (400x200 and a little less, each its own) join a call of one small viewer, then go; the server's
// current usage comes back to within 20% of what it was before they came, and the room's line says
// so too.
TEST(Memory, LargeViewersThatLeaveGiveTheirMemoryBack) {
  constexpr int kVisitors = 8;
  TempDir dir;
  const std::string report_file = dir.file("memory.txt");
  ServerProcess server({"--fps", "30", "--warmup", "1", "--memory-report", report_file,
                        "--max-connections-per-ip", "16"},
                       dir.file("server.stderr"));
  // A report written after this call began: the newest in the file once one more is there.
  auto fresh_report = [&] {
    const size_t had = memory_reports_in(read_file_or_empty(report_file)).size();
    server.process().send_signal(SIGUSR1);
    std::vector<MemoryReport> reports;
    EXPECT_TRUE(wait_until(
        [&] {
          reports = memory_reports_in(read_file_or_empty(report_file));
          return reports.size() > had;
        },
        10s));
    return reports.empty() ? MemoryReport{} : reports.back();
  };
  // The first fresh report whose room line says `members` and `views`.
  auto report_when = [&](int64_t members, int64_t views) {
    MemoryReport r;
    EXPECT_TRUE(wait_until(
        [&] {
          r = fresh_report();
          const RoomLine* room = r.room("lobby");
          return room != nullptr && room->members == members && room->views == views;
        },
        20s, 250ms))
        << "no report with " << members << " members and " << views << " views in lobby";
    return r;
  };

  ClientSpec resident;
  resident.name = "resident";
  resident.video = "test:moving";
  resident.size = "80x24";
  resident.duration = 120;  // stays; stopped at the end
  resident.stats_json = dir.file("resident.json");
  ChildProcess resident_process =
      start_client(server.port(), resident, dir.file("resident.stderr"));
  ASSERT_TRUE(server.wait_for_stderr("joined as participant", 1, 10s)) << server.stderr_text();
  server.sleep_until_up_for(3);  // its view, pools and scratch are made
  const MemoryReport before = report_when(1, 1);

  std::vector<ChildProcess> visitors;
  for (int i = 0; i < kVisitors; ++i) {
    // Stopped once the report during their visit is written.
    const ClientSpec spec = large_viewer(i, 30);
    visitors.push_back(start_client(server.port(), spec, dir.file(spec.name + ".stderr")));
  }
  ASSERT_TRUE(server.wait_for_stderr("joined as participant", 1 + kVisitors, 15s))
      << server.stderr_text();
  const MemoryReport during = report_when(1 + kVisitors, 1 + kVisitors);
  for (ChildProcess& visitor : visitors) visitor.send_signal(SIGTERM);
  for (ChildProcess& visitor : visitors) ASSERT_TRUE(visitor.wait_for(15s));
  report_when(1, 1);
  // The render threads' scratch is fitted by the once-a-second housekeeping.
  std::this_thread::sleep_for(2500ms);
  const MemoryReport after = fresh_report();

  SCOPED_TRACE("before:\n" + joined_lines(before.lines) + "during:\n" + joined_lines(during.lines) +
               "after:\n" + joined_lines(after.lines));
  for (const MemoryReport* r : {&before, &during, &after}) {
    EXPECT_TRUE(r->problems.empty()) << r->problems.front();
  }
  std::printf(
      "[ itest    ] current usage: %.1f MiB before, %.1f MiB with %d 400x200 viewers, "
      "%.1f MiB after they left\n",
      before.current_bytes / 1048576.0, during.current_bytes / 1048576.0, kVisitors,
      after.current_bytes / 1048576.0);
  // The visitors did take memory (else this test proves nothing), and gave it back.
  EXPECT_GT(during.current_bytes, 2 * before.current_bytes);
  EXPECT_LE(after.current_bytes, 1.2 * before.current_bytes);
  const RoomLine* room_before = before.room("lobby");
  const RoomLine* room_during = during.room("lobby");
  const RoomLine* room_after = after.room("lobby");
  ASSERT_TRUE(room_before && room_during && room_after);
  EXPECT_EQ(room_during->members, 1 + kVisitors);
  EXPECT_EQ(room_after->members, 1);
  EXPECT_EQ(room_after->views, 1);
  EXPECT_GT(room_during->reserved_bytes, 2 * room_before->reserved_bytes);
  EXPECT_LE(room_after->reserved_bytes, room_before->reserved_bytes);
  EXPECT_EQ(after.budget_refusals, 0);

  // The resident's call went on throughout.
  resident_process.send_signal(SIGTERM);
  ASSERT_TRUE(resident_process.wait_for(15s));
  EXPECT_GT(read_json_file(dir.file("resident.json")).at("frames_received").get<int64_t>(), 30);
}

// The pools' budget holds: a server capped at 64 MiB of pools (less than eight large
// viewers want) refuses what does not fit, dropping those frames or, once not even a
// receive buffer fits, telling a newcomer the server is full; it never fails, and the small
// viewer already in the call keeps its pictures.
TEST(Memory, APoolBudgetTooSmallForTheViewsDropsFramesAndStaysUp) {
  constexpr int kVisitors = 8;
  TempDir dir;
  ServerProcess server({"--fps", "30", "--connections-per-ip-per-second", "1000",
                        "--handshakes-per-ip-per-second", "1000", "--max-pending", "1000",
                        "--max-pending-per-ip", "1000", "--warmup", "1", "--max-pool-memory", "64",
                        "--max-connections-per-ip", "16", "--stats-json", dir.file("server.json")},
                       dir.file("server.stderr"));
  ClientSpec resident;
  resident.name = "resident";
  resident.video = "test:moving";
  resident.size = "80x24";
  resident.duration = 8;
  resident.stats_json = dir.file("resident.json");
  ChildProcess resident_process =
      start_client(server.port(), resident, dir.file("resident.stderr"));
  ASSERT_TRUE(server.wait_for_stderr("joined as participant", 1, 10s)) << server.stderr_text();
  std::vector<ChildProcess> visitors;
  for (int i = 0; i < kVisitors; ++i) {
    const ClientSpec spec = large_viewer(i, 4);
    visitors.push_back(start_client(server.port(), spec, dir.file(spec.name + ".stderr")));
  }
  // A visitor is let in, or, when even its receive buffer does not fit the budget any
  // more, told that the server is full: never a crash or a silent hang.
  int joined = 0;
  for (int i = 0; i < kVisitors; ++i) {
    const std::optional<ExitStatus> status = visitors[size_t(i)].wait_for(20s);
    ASSERT_TRUE(status) << "large" << i << " still running";
    const std::string err = read_file_or_empty(dir.file("large" + std::to_string(i) + ".stderr"));
    if (status->success()) {
      ++joined;
    } else {
      EXPECT_NE(err.find("the server is full"), std::string::npos)
          << "large" << i << ": " << status->describe() << "; stderr: " << err;
    }
  }
  EXPECT_GE(joined, 1) << "no visitor got in: the budget is too small for this test";
  const std::optional<ExitStatus> resident_status = resident_process.wait_for(20s);
  ASSERT_TRUE(resident_status && resident_status->success());
  EXPECT_GT(read_json_file(dir.file("resident.json")).at("frames_received").get<int64_t>(), 60);

  const std::optional<ExitStatus> status = server.terminate(15s);
  ASSERT_TRUE(status) << "the server did not exit within 15 s of SIGTERM";
  EXPECT_TRUE(status->success()) << status->describe() << "; stderr:\n" << server.stderr_text();
  const nlohmann::json stats = read_json_file(dir.file("server.json"));
  SCOPED_TRACE("server stats: " + stats.dump());
  EXPECT_GT(stats.at("pool_budget_refusals").get<int64_t>(), 0)
      << "the visitors fitted in 64 MiB: this test no longer reaches the budget";
  EXPECT_LE(stats.at("heap").at("peak_bytes").get<double>(), 80.0 * 1048576)
      << "64 MiB of pools and the rest of the server";
}

// SIGUSR1 writes the report to stderr, where the log lines also go: each report is one
// contiguous block in the required order. During warm-up it says so; after it, with two
// clients in a call, it says "stable".
TEST(Memory, Sigusr1ReportIsWholeOrderedAndJudgesItself) {
  constexpr double kWarmup = 2;
  TempDir dir;
  ServerProcess server({"--fps", "30", "--warmup", "2"}, dir.file("server.stderr"));

  server.process().send_signal(SIGUSR1);  // at once: still warming up
  ASSERT_TRUE(server.wait_for_stderr(kReportEnd, 1, 10s)) << server.stderr_text();

  std::vector<ChildProcess> clients;
  for (int i = 0; i < 2; ++i) {
    ClientSpec spec;
    spec.name = "talker" + std::to_string(i + 1);
    spec.video = "test:moving";
    spec.duration = 60;
    spec.extra_args = {"--seed", std::to_string(i + 1)};
    clients.push_back(start_client(server.port(), spec, dir.file(spec.name + ".stderr")));
  }
  ASSERT_TRUE(server.wait_for_stderr("joined as participant", 2, 10s)) << server.stderr_text();
  server.sleep_until_up_for(kWarmup + 3);  // the window the second report judges
  for (ChildProcess& client : clients) ASSERT_TRUE(client.running()) << "a client left early";

  server.process().send_signal(SIGUSR1);
  ASSERT_TRUE(server.wait_for_stderr(kReportEnd, 2, 10s)) << server.stderr_text();
  const std::string log = server.stderr_text();
  SCOPED_TRACE("server stderr:\n" + log);

  // Every "=== Memory Report ===" opens a block that closes before anything else is written.
  EXPECT_EQ(count_occurrences(log, "=== Memory Report ==="), count_occurrences(log, kReportEnd));
  const std::vector<MemoryReport> reports = memory_reports_in(log);
  ASSERT_EQ(reports.size(), 2u);
  for (const MemoryReport& report : reports) {
    EXPECT_TRUE(report.problems.empty())
        << report.problems.size() << " problem(s), first: " << report.problems.front();
    EXPECT_FALSE(report.pools.empty()) << "no pools listed";
    EXPECT_GT(report.current_bytes, 0);
    EXPECT_FALSE(report.verdict_reason.empty());
  }

  const MemoryReport& early = reports[0];
  ASSERT_GE(early.uptime_s, 0) << "no Uptime line";
  if (early.uptime_s < kWarmup) {
    EXPECT_EQ(early.verdict, "warming-up");
  }

  const MemoryReport& steady = reports[1];
  EXPECT_GE(steady.uptime_s, kWarmup + 3);
  EXPECT_EQ(steady.verdict, "stable");
  // Live allocations are grouped by site: one line each, not one per buffer.
  EXPECT_LT(steady.sites.size(), 40u);
  EXPECT_NE(steady.site("heap (unattributed)"), nullptr);
  // The server's own lines: the pool budget and the one room with its two members.
  EXPECT_GT(steady.budget_used_bytes, 0);
  EXPECT_GT(steady.budget_max_bytes, steady.budget_used_bytes);
  EXPECT_EQ(steady.budget_refusals, 0);
  EXPECT_EQ(steady.room_count, 1);
  const RoomLine* lobby = steady.room("lobby");
  ASSERT_NE(lobby, nullptr);
  EXPECT_EQ(lobby->members, 2);
  EXPECT_EQ(lobby->views, 1);
  EXPECT_GT(lobby->reserved_bytes, 0);
  EXPECT_EQ(early.room_count, 0);
}

}  // namespace
}  // namespace ttycall::itest
