// Specification of server::DecodeWorkers (src/server/decode_workers.h): the bounded stage
// that decodes camera frames off the io threads.
#include "server/decode_workers.h"

#include <gtest/gtest.h>

#include <array>
#include <atomic>
#include <chrono>
#include <mutex>
#include <thread>
#include <vector>

#include "gate.h"

namespace ttycall::server {
namespace {

using namespace std::chrono_literals;
using test::eventually;
using test::Gate;

// Records its runs: how many, how many at once, and the order among jobs.
struct RecordingJob : DecodeWorkers::Job {
  explicit RecordingJob(int id, Gate* gate = nullptr, std::vector<int>* order = nullptr,
                        std::mutex* order_mutex = nullptr)
      : id(id), gate(gate), order(order), order_mutex(order_mutex) {}
  ~RecordingJob() = default;

  void run() override {
    const int now = ++running;
    int seen = most_at_once.load();
    while (now > seen && !most_at_once.compare_exchange_weak(seen, now)) {
    }
    if (gate) gate->pass();
    if (order) {
      std::lock_guard lock(*order_mutex);
      order->push_back(id);
    }
    --running;
    ++runs;
  }

  int id;
  Gate* gate;
  std::vector<int>* order;
  std::mutex* order_mutex;
  std::atomic<int> running{0};
  std::atomic<int> most_at_once{0};
  std::atomic<int> runs{0};
};

TEST(DecodeWorkers, AJobIsQueuedOnceHoweverOftenItIsScheduled) {
  Gate gate;
  RecordingJob blocker(0, &gate);
  std::array<RecordingJob, 3> jobs{RecordingJob(1), RecordingJob(2), RecordingJob(3)};
  DecodeWorkers workers(1);
  workers.schedule(blocker);
  gate.wait_arrived();
  for (int round = 0; round < 1000; ++round) {
    for (RecordingJob& j : jobs) workers.schedule(j);
    ASSERT_LE(workers.queued(), jobs.size());  // jobs, never frames
  }
  EXPECT_EQ(workers.queued(), jobs.size());
  gate.open();
  ASSERT_TRUE(eventually([&] { return workers.queued() == 0; }));
  ASSERT_TRUE(eventually([&] { return jobs[2].runs.load() == 1; }));
  for (RecordingJob& j : jobs) workers.cancel(j);
  for (const RecordingJob& j : jobs) EXPECT_EQ(j.runs.load(), 1) << "job " << j.id;
  workers.cancel(blocker);
}

TEST(DecodeWorkers, AJobNeverRunsOnTwoThreadsAtOnce) {
  RecordingJob job(1);
  DecodeWorkers workers(4);
  std::vector<std::thread> schedulers;
  for (int t = 0; t < 4; ++t) {
    schedulers.emplace_back([&] {
      for (int i = 0; i < 5000; ++i) workers.schedule(job);
    });
  }
  for (std::thread& t : schedulers) t.join();
  ASSERT_TRUE(eventually([&] { return workers.queued() == 0 && job.running.load() == 0; }));
  workers.cancel(job);
  EXPECT_EQ(job.most_at_once.load(), 1);
  EXPECT_GE(job.runs.load(), 1);
}

// Scheduled while it runs (a new frame came during the decode): it runs again, after the
// jobs already waiting, so a busy participant cannot take every turn.
TEST(DecodeWorkers, AJobScheduledWhileItRunsGoesToTheEndOfTheQueue) {
  Gate gate;
  std::vector<int> order;
  std::mutex order_mutex;
  RecordingJob a(1, &gate, &order, &order_mutex);
  RecordingJob b(2, nullptr, &order, &order_mutex);
  RecordingJob c(3, nullptr, &order, &order_mutex);
  DecodeWorkers workers(1);
  workers.schedule(a);
  gate.wait_arrived();
  workers.schedule(b);
  workers.schedule(a);  // while it runs
  workers.schedule(c);
  EXPECT_EQ(workers.queued(), 2u);  // b and c; a comes back when its run ends
  gate.open();
  ASSERT_TRUE(eventually([&] { return a.runs.load() == 2; }));
  for (RecordingJob* j : {&a, &b, &c}) workers.cancel(*j);
  EXPECT_EQ(order, (std::vector<int>{1, 2, 3, 1}));
}

TEST(DecodeWorkers, CancelTakesAQueuedJobOutAndWaitsForARunningOne) {
  Gate gate;
  RecordingJob running(1, &gate);
  RecordingJob waiting(2);
  DecodeWorkers workers(1);
  workers.schedule(running);
  gate.wait_arrived();
  workers.schedule(waiting);
  workers.cancel(waiting);
  EXPECT_EQ(workers.queued(), 0u);
  std::atomic<bool> cancelled{false};
  std::thread canceller([&] {
    workers.cancel(running);
    cancelled = true;
  });
  std::this_thread::sleep_for(50ms);
  EXPECT_FALSE(cancelled.load()) << "cancel returned while the job still ran";
  gate.open();
  canceller.join();
  EXPECT_TRUE(cancelled.load());
  EXPECT_EQ(running.runs.load(), 1);
  EXPECT_EQ(waiting.runs.load(), 0);
}

}  // namespace
}  // namespace ttycall::server
