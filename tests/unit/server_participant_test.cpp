// Specification of server::Participant (src/server/participant.h): what the room, the
// compositor and the mixer read of one person in the call.
#include "server/participant.h"

#include <gtest/gtest.h>

#include <array>
#include <vector>

namespace ttycall::server {
namespace {

// An outbox that only counts: the participant itself never sends.
struct CountingOutbox : Outbox {
  int control = 0;
  bool send_control(std::span<const uint8_t>) override { return ++control > 0; }
  bool send_audio(std::span<const uint8_t>) override { return true; }
  void offer_video(const core::PooledBuffer&) override {}
  void close_with_bye(net::ByeReason, std::string_view) override {}
};

std::array<float, media::audio::kFrameSamples> frame_of(float value) {
  std::array<float, media::audio::kFrameSamples> f;
  f.fill(value);
  return f;
}

TEST(Participant, ListVersionChangesExactlyWhenTheListWouldShowSomethingNew) {
  CountingOutbox outbox;
  Participant p(outbox);
  const uint64_t v0 = p.list_version();
  p.set_muted(false);  // no change
  p.set_speaking(false);
  p.set_video_off(false);
  EXPECT_EQ(p.list_version(), v0);
  p.set_muted(true);
  EXPECT_EQ(p.list_flags(), net::kMuted);
  p.set_speaking(true);
  EXPECT_EQ(p.list_version(), v0 + 2);
  EXPECT_EQ(p.list_flags(), net::kMuted | net::kSpeaking);
}

TEST(Participant, TheFirstFrameShowsTheCamera) {
  core::BufferPool pool("test.frames", 16, 2, 2);
  CountingOutbox outbox;
  Participant p(outbox);
  EXPECT_EQ(p.list_flags() & net::kHasVideo, 0);
  VideoFrame frame;
  frame.pixels = pool.acquire();
  frame.width = 2;
  frame.height = 2;
  const uint64_t v0 = p.list_version();
  p.put_video(std::move(frame));
  EXPECT_EQ(p.video_version(), 1u);
  EXPECT_EQ(p.list_version(), v0 + 1);
  EXPECT_NE(p.list_flags() & net::kHasVideo, 0);
  p.set_video_off(true);  // switched off: the list shows the name only
  EXPECT_EQ(p.list_flags() & net::kHasVideo, 0);
  EXPECT_EQ(p.latest_video().width, 2);
  p.drop_video();
  EXPECT_FALSE(p.latest_video().pixels);
  EXPECT_EQ(pool.stats().in_use, 0u);
}

TEST(Participant, AudioComesOutInOrderAndTheOldestGoesWhenFull) {
  CountingOutbox outbox;
  Participant p(outbox);
  for (int i = 1; i <= 6; ++i) p.push_audio(frame_of(float(i)), uint64_t(i));
  std::vector<float> out(media::audio::kFrameSamples);
  uint64_t capture = 0;
  ASSERT_TRUE(p.pop_audio(out, capture));
  EXPECT_EQ(capture, 3u);  // four frames fit: 1 and 2 were dropped
  EXPECT_EQ(out[0], 3.0f);
  int left = 0;
  while (p.pop_audio(out, capture)) ++left;
  EXPECT_EQ(left, 3);
}

TEST(Participant, ALastingBacklogIsSkippedAfterHalfASecond) {
  CountingOutbox outbox;
  Participant p(outbox);
  std::vector<float> out(media::audio::kFrameSamples);
  uint64_t capture = 0;
  uint64_t next = 0;
  // The sender keeps one frame ahead: each tick one arrives and one is taken.
  p.push_audio(frame_of(0), next++);
  p.push_audio(frame_of(0), next++);
  int skipped = 0;
  uint64_t expected = 0;
  for (int tick = 0; tick < 30; ++tick) {
    ASSERT_TRUE(p.pop_audio(out, capture));
    if (capture != expected) ++skipped;
    expected = capture + 1;
    p.push_audio(frame_of(0), next++);
  }
  EXPECT_EQ(skipped, 1);  // one glitch, then no lasting delay
}

}  // namespace
}  // namespace ttycall::server
