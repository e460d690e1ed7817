// Specification of client::ClientStats (src/client/client_stats.h): what a client measured,
// written as JSON at exit.
#include "client/client_stats.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <memory>
#include <nlohmann/json.hpp>
#include <numeric>
#include <random>
#include <vector>

namespace ttycall::client {
namespace {

using core::SteadyClock;
using std::chrono::milliseconds;

const SteadyClock::time_point kStart{std::chrono::hours(2)};

// ClientStats holds a 64 Ki-sample latency ring (256 KiB): keep it off the stack.
std::unique_ptr<ClientStats> make_stats() {
  return std::make_unique<ClientStats>();
}

// ---- frames and fps ----

TEST(ClientStats, FpsIsFrameIntervalsOverTheTimeBetweenFirstAndLastFrame) {
  auto stats = make_stats();
  for (int i = 0; i <= 10; ++i) stats->on_frame(100, kStart + milliseconds(100 * i));
  // 11 frames, 10 intervals, 1 s.
  EXPECT_DOUBLE_EQ(stats->fps(), 10.0);
  EXPECT_EQ(stats->frames_received(), 11u);
}

TEST(ClientStats, FpsOfAnIrregularStream) {
  auto stats = make_stats();
  stats->on_frame(1, kStart);
  stats->on_frame(1, kStart + milliseconds(10));
  stats->on_frame(1, kStart + milliseconds(490));
  stats->on_frame(1, kStart + milliseconds(500));
  stats->on_frame(1, kStart + milliseconds(2000));
  EXPECT_DOUBLE_EQ(stats->fps(), 2.0);  // 4 intervals over 2 s
}

TEST(ClientStats, FpsIsZeroWithFewerThanTwoFramesOrNoElapsedTime) {
  auto none = make_stats();
  EXPECT_EQ(none->fps(), 0.0);

  auto one = make_stats();
  one->on_frame(100, kStart);
  EXPECT_EQ(one->fps(), 0.0);

  auto same_instant = make_stats();
  same_instant->on_frame(100, kStart);
  same_instant->on_frame(100, kStart);
  EXPECT_EQ(same_instant->fps(), 0.0);
  EXPECT_EQ(same_instant->frames_received(), 2u);
}

// ---- latency percentiles (nearest rank) ----

TEST(ClientStats, PercentilesOfOneToHundred) {
  auto stats = make_stats();
  std::vector<double> values(100);
  std::iota(values.begin(), values.end(), 1.0);
  std::shuffle(values.begin(), values.end(), std::mt19937(7));  // order must not matter
  for (double v : values) stats->on_latency_ms(v);

  EXPECT_DOUBLE_EQ(stats->latency_percentile(50), 50.0);
  EXPECT_DOUBLE_EQ(stats->latency_percentile(95), 95.0);
  EXPECT_DOUBLE_EQ(stats->latency_percentile(99), 99.0);
  EXPECT_DOUBLE_EQ(stats->latency_percentile(100), 100.0);
  EXPECT_DOUBLE_EQ(stats->latency_percentile(0), 1.0);
}

TEST(ClientStats, PercentilesOfASmallSetUseTheNearestRank) {
  auto stats = make_stats();
  for (double v : {40.0, 10.0, 30.0, 20.0, 50.0, 100.0, 90.0, 60.0, 80.0, 70.0}) {
    stats->on_latency_ms(v);
  }
  EXPECT_DOUBLE_EQ(stats->latency_percentile(50), 50.0);   // rank ceil(5.0)  = 5
  EXPECT_DOUBLE_EQ(stats->latency_percentile(95), 100.0);  // rank ceil(9.5)  = 10
  EXPECT_DOUBLE_EQ(stats->latency_percentile(99), 100.0);  // rank ceil(9.9)  = 10
  EXPECT_DOUBLE_EQ(stats->latency_percentile(10), 10.0);   // rank ceil(1.0)  = 1
  EXPECT_DOUBLE_EQ(stats->latency_percentile(11), 20.0);   // rank ceil(1.1)  = 2
}

TEST(ClientStats, PercentilesOfATailHeavySet) {
  auto stats = make_stats();
  for (int i = 0; i < 90; ++i) stats->on_latency_ms(5.0);
  for (int i = 0; i < 8; ++i) stats->on_latency_ms(40.0);
  for (int i = 0; i < 2; ++i) stats->on_latency_ms(250.0);
  EXPECT_DOUBLE_EQ(stats->latency_percentile(50), 5.0);
  EXPECT_DOUBLE_EQ(stats->latency_percentile(95), 40.0);
  EXPECT_DOUBLE_EQ(stats->latency_percentile(99), 250.0);
}

TEST(ClientStats, PercentileOfOneSampleIsThatSample) {
  auto stats = make_stats();
  stats->on_latency_ms(12.5);
  EXPECT_DOUBLE_EQ(stats->latency_percentile(50), 12.5);
  EXPECT_DOUBLE_EQ(stats->latency_percentile(99), 12.5);
}

TEST(ClientStats, PercentileWithoutSamplesIsZero) {
  auto stats = make_stats();
  EXPECT_EQ(stats->latency_percentile(50), 0.0);
  EXPECT_EQ(stats->latency_percentile(99), 0.0);
}

TEST(ClientStats, PercentilesReflectOnlyTheMostRecent64KiSamples) {
  auto stats = make_stats();
  constexpr int kRing = 1 << 16;
  for (int i = 0; i < kRing; ++i) stats->on_latency_ms(1000.0);
  for (int i = 0; i < kRing; ++i) stats->on_latency_ms(5.0);  // overwrite the whole ring
  EXPECT_DOUBLE_EQ(stats->latency_percentile(99), 5.0);
  EXPECT_DOUBLE_EQ(stats->latency_percentile(100), 5.0);
}

// ---- participants ----

TEST(ClientStats, ParticipantsSeenCountsDistinctIds) {
  auto stats = make_stats();
  EXPECT_EQ(stats->participants_seen(), 0);
  for (uint32_t id : {7u, 3u, 7u, 7u, 9u, 3u, 0u, 9u}) stats->on_participant(id);
  EXPECT_EQ(stats->participants_seen(), 4);  // 7, 3, 9, 0
}

TEST(ClientStats, ParticipantsSeenIsBoundedAt256) {
  auto stats = make_stats();
  for (uint32_t id = 1; id <= 300; ++id) stats->on_participant(id);
  EXPECT_EQ(stats->participants_seen(), 256);
  stats->on_participant(1);  // known: still deduplicated at the bound
  EXPECT_EQ(stats->participants_seen(), 256);
}

// ---- JSON ----

TEST(ClientStats, JsonHasEveryKeyWithTheMeasuredValues) {
  auto stats = make_stats();
  for (int i = 0; i < 5; ++i) stats->on_frame(1000, kStart + milliseconds(250 * i));
  stats->on_bytes(24);  // protocol bytes that are not frames
  for (int v = 1; v <= 100; ++v) stats->on_latency_ms(v);
  stats->on_participant(1);
  stats->on_participant(2);
  stats->on_participant(1);

  const std::string text = stats->to_json();
  EXPECT_TRUE(text.ends_with("\n"));
  const nlohmann::json j = nlohmann::json::parse(text);

  for (const char* key :
       {"frames_received", "bytes_received", "fps", "latency_ms", "participants_seen"}) {
    EXPECT_TRUE(j.contains(key)) << key << " missing in\n" << text;
  }
  ASSERT_TRUE(j["latency_ms"].is_object());
  for (const char* key : {"p50", "p95", "p99"}) {
    EXPECT_TRUE(j["latency_ms"].contains(key)) << key << " missing in\n" << text;
  }
  EXPECT_EQ(j["frames_received"].get<uint64_t>(), 5u);
  EXPECT_EQ(j["bytes_received"].get<uint64_t>(), 5u * 1000u + 24u);
  EXPECT_DOUBLE_EQ(j["fps"].get<double>(), 4.0);  // 4 intervals over 1 s
  EXPECT_DOUBLE_EQ(j["latency_ms"]["p50"].get<double>(), 50.0);
  EXPECT_DOUBLE_EQ(j["latency_ms"]["p95"].get<double>(), 95.0);
  EXPECT_DOUBLE_EQ(j["latency_ms"]["p99"].get<double>(), 99.0);
  EXPECT_EQ(j["participants_seen"].get<int>(), 2);
}

TEST(ClientStats, JsonOfAClientThatReceivedNothing) {
  auto stats = make_stats();
  const nlohmann::json j = nlohmann::json::parse(stats->to_json());
  EXPECT_EQ(j["frames_received"].get<uint64_t>(), 0u);
  EXPECT_EQ(j["bytes_received"].get<uint64_t>(), 0u);
  EXPECT_EQ(j["fps"].get<double>(), 0.0);
  EXPECT_EQ(j["latency_ms"]["p50"].get<double>(), 0.0);
  EXPECT_EQ(j["participants_seen"].get<int>(), 0);
  EXPECT_TRUE(j["first_frame_s"].is_null());
}

// ---- join time ----

TEST(ClientStats, FirstFrameTimeRunsFromTheFirstConnectionAttempt) {
  auto stats = make_stats();
  stats->mark_connecting(kStart);
  EXPECT_TRUE(nlohmann::json::parse(stats->to_json())["first_frame_s"].is_null());
  stats->mark_connecting(kStart + milliseconds(100));  // a redirect's second connection
  stats->on_frame(1000, kStart + milliseconds(250));
  stats->on_frame(1000, kStart + milliseconds(280));
  const nlohmann::json j = nlohmann::json::parse(stats->to_json());
  ASSERT_TRUE(j["first_frame_s"].is_number());
  EXPECT_DOUBLE_EQ(j["first_frame_s"].get<double>(), 0.25);
}

}  // namespace
}  // namespace ttycall::client
