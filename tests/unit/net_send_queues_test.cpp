// Specification of net::SendQueues (src/net/send_queues.h): what a connection sends next,
// and what it drops when the peer does not keep up.
#include "net/send_queues.h"

#include <gtest/gtest.h>

#include <array>
#include <vector>

namespace ttycall::net {
namespace {

std::vector<uint8_t> packet_of(size_t size, uint8_t fill) {
  return std::vector<uint8_t>(size, fill);
}

struct Fixture : ::testing::Test {
  core::BufferPool pool{"test.video", 64, 4, 4};
  SendQueues queues;
  std::array<uint8_t, kMaxControlPacket> out{};

  core::PooledBuffer video_of(uint8_t fill) {
    core::PooledBuffer b = pool.acquire();
    b.writable()[0] = fill;
    b.set_size(1);
    return b;
  }
};

using SendQueuesTest = Fixture;

TEST_F(SendQueuesTest, ControlGoesFirstThenAudioThenVideo) {
  queues.offer_video(video_of(3));
  queues.push_audio(packet_of(10, 2));
  queues.push_control(packet_of(10, 1), Sealing::kSealed);
  EXPECT_EQ(queues.take(out).kind, SendQueues::Kind::kControl);
  EXPECT_EQ(queues.take(out).kind, SendQueues::Kind::kAudio);
  EXPECT_EQ(queues.take(out).kind, SendQueues::Kind::kVideo);
  EXPECT_EQ(queues.take(out).kind, SendQueues::Kind::kNone);
}

TEST_F(SendQueuesTest, ControlPacketsAreCopiedWithTheirSealing) {
  queues.push_control(packet_of(5, 9), Sealing::kPlain);
  const SendQueues::Taken t = queues.take(out);
  EXPECT_EQ(t.size, 5u);
  EXPECT_EQ(t.sealing, Sealing::kPlain);
  EXPECT_EQ(out[4], 9);
}

TEST_F(SendQueuesTest, AFullControlRingRefusesNewPackets) {
  for (size_t i = 0; i < SendQueues::kControlSlots; ++i) {
    EXPECT_TRUE(queues.push_control(packet_of(4, uint8_t(i)), Sealing::kSealed));
  }
  EXPECT_FALSE(queues.push_control(packet_of(4, 99), Sealing::kSealed));
  EXPECT_EQ(queues.take(out).size, 4u);
  EXPECT_EQ(out[0], 0);  // the first one queued is the first out
}

TEST_F(SendQueuesTest, ControlSlotsHoldTheLargestControlPacket) {
  EXPECT_TRUE(
      queues.push_control(packet_of(kMaxControlPacket - kSealOverhead, 1), Sealing::kSealed));
  EXPECT_FALSE(queues.push_control(packet_of(kMaxControlPacket, 1), Sealing::kSealed));
  EXPECT_GE(kMaxControlPacket - kSealOverhead, kHeaderSize + max_payload(MsgType::kParticipants));
}

TEST_F(SendQueuesTest, AFullAudioRingDropsTheOldest) {
  for (size_t i = 0; i < SendQueues::kAudioSlots + 2; ++i) {
    EXPECT_TRUE(queues.push_audio(packet_of(3, uint8_t(i))));
  }
  const SendQueues::Taken t = queues.take(out);
  EXPECT_EQ(t.kind, SendQueues::Kind::kAudio);
  EXPECT_EQ(out[0], 2);  // 0 and 1 were dropped
}

TEST_F(SendQueuesTest, ANewerFrameReplacesAWaitingOne) {
  EXPECT_FALSE(queues.offer_video(video_of(1)));
  EXPECT_TRUE(queues.offer_video(video_of(2)));  // replaced
  SendQueues::Taken t = queues.take(out);
  ASSERT_EQ(t.kind, SendQueues::Kind::kVideo);
  EXPECT_EQ(t.video.data()[0], 2);
  EXPECT_FALSE(queues.video_waiting());
  t.video.reset();
  EXPECT_EQ(pool.stats().in_use, 0u);  // the replaced frame went back to its pool
}

TEST_F(SendQueuesTest, AudioCannotStarveAWaitingFrame) {
  queues.offer_video(video_of(1));
  for (int i = 0; i < 6; ++i) queues.push_audio(packet_of(3, uint8_t(i)));
  int audio_before_video = 0;
  while (queues.take(out).kind == SendQueues::Kind::kAudio) ++audio_before_video;
  EXPECT_EQ(audio_before_video, SendQueues::kAudioBeforeVideo);
}

TEST_F(SendQueuesTest, AFrameNotAllowedYetStaysInItsSlotWhileAudioGoes) {
  queues.offer_video(video_of(1));
  for (int i = 0; i < 4; ++i) queues.push_audio(packet_of(3, uint8_t(i)));
  for (int i = 0; i < 4; ++i) {
    EXPECT_EQ(queues.take(out, /*video_allowed=*/false).kind, SendQueues::Kind::kAudio);
  }
  EXPECT_EQ(queues.take(out, false).kind, SendQueues::Kind::kNone);
  EXPECT_TRUE(queues.offer_video(video_of(2)));  // still waiting: the newer one replaces it
  const SendQueues::Taken t = queues.take(out, true);
  ASSERT_EQ(t.kind, SendQueues::Kind::kVideo);
  EXPECT_EQ(t.video.data()[0], 2);
}

TEST_F(SendQueuesTest, ClosingKeepsControlAndDropsMedia) {
  queues.offer_video(video_of(1));
  queues.push_audio(packet_of(3, 1));
  queues.push_control(packet_of(3, 1), Sealing::kSealed);
  queues.close_after_flush();
  EXPECT_TRUE(queues.closing());
  EXPECT_FALSE(queues.push_audio(packet_of(3, 1)));
  EXPECT_FALSE(queues.offer_video(video_of(2)));
  EXPECT_EQ(queues.take(out).kind, SendQueues::Kind::kControl);
  EXPECT_EQ(queues.take(out).kind, SendQueues::Kind::kNone);
  EXPECT_EQ(pool.stats().in_use, 0u);
}

TEST_F(SendQueuesTest, ClearStartsAfresh) {
  queues.push_control(packet_of(3, 1), Sealing::kSealed);
  queues.close_after_flush();
  queues.clear();
  EXPECT_FALSE(queues.closing());
  EXPECT_EQ(queues.take(out).kind, SendQueues::Kind::kNone);
  EXPECT_TRUE(queues.push_audio(packet_of(3, 1)));
}

}  // namespace
}  // namespace ttycall::net
