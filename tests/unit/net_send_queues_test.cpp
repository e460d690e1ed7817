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
  core::BufferPool big_pool{"test.big_video", 4 * SendQueues::kVideoQuantum, 2, 2};
  SendQueues queues;
  std::array<uint8_t, kMaxControlPacket> out{};

  // A frame of `size` bytes (up to four video quanta).
  core::PooledBuffer frame_of_size(size_t size) {
    core::PooledBuffer b = big_pool.acquire();
    b.set_size(size);
    return b;
  }

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

TEST_F(SendQueuesTest, AStreamOfAudioCannotStarveAWaitingFrame) {
  queues.offer_video(video_of(1));
  constexpr size_t kSize = kMaxAudioPacket - kSealOverhead;
  for (size_t i = 0; i < SendQueues::kAudioSlots; ++i) queues.push_audio(packet_of(kSize, 2));
  int audio_before_video = 0;
  while (queues.take(out).kind == SendQueues::Kind::kAudio) {
    ++audio_before_video;
    ASSERT_LT(audio_before_video, 1000) << "the frame never went";
    queues.push_audio(packet_of(kSize, 2));  // the ring stays full
  }
  // Audio's turn is its quantum of bytes, each packet charged a little more than its size.
  EXPECT_LE(size_t(audio_before_video),
            SendQueues::kAudioQuantum / (kSize + SendQueues::kPacketCharge) + 1);
  EXPECT_GT(audio_before_video, 0);
}

// A peer that makes the server queue control packets as fast as they go (the control ring
// refilled after every take) cannot hold back audio or video: each gets its turn within a
// bounded number of takes.
TEST_F(SendQueuesTest, AFullControlRingCannotStarveAudioOrVideo) {
  constexpr size_t kSize = 40;  // small packets: the most takes a control turn can hold
  for (size_t i = 0; i < SendQueues::kControlSlots; ++i) {
    queues.push_control(packet_of(kSize, 1), Sealing::kSealed);
  }
  queues.push_audio(packet_of(100, 2));
  queues.offer_video(video_of(3));
  // A control turn is its quantum; each control packet costs its size plus the charge.
  constexpr size_t kControlPerTurn =
      SendQueues::kControlQuantum / (kSize + SendQueues::kPacketCharge) + 1;
  int takes = 0, control = 0, audio_at = 0, video_at = 0;
  while ((audio_at == 0 || video_at == 0) && takes < 10000) {
    const SendQueues::Kind kind = queues.take(out).kind;
    ++takes;
    if (kind == SendQueues::Kind::kControl) {
      ++control;
      EXPECT_TRUE(queues.push_control(packet_of(kSize, 1), Sealing::kSealed));
    }
    if (kind == SendQueues::Kind::kAudio) audio_at = takes;
    if (kind == SendQueues::Kind::kVideo) video_at = takes;
  }
  ASSERT_GT(audio_at, 0) << "audio never went in " << takes << " takes";
  ASSERT_GT(video_at, 0) << "the frame never went in " << takes << " takes";
  EXPECT_LE(size_t(audio_at), kControlPerTurn + 1);
  EXPECT_LE(size_t(video_at), kControlPerTurn + 2);
  EXPECT_LE(size_t(control), kControlPerTurn);
}

// With every class kept busy, the bytes each sends follow its quantum: control, whatever
// it is flooded with, takes no more than its share of the line.
TEST_F(SendQueuesTest, UnderFullLoadEachClassGetsItsShareOfTheBytes) {
  constexpr size_t kControlSize = 1000, kAudioSize = 200;
  std::array<size_t, 4> cost{};  // by Kind: bytes plus the charge per packet
  auto refill = [&] {
    while (queues.push_control(packet_of(kControlSize, 1), Sealing::kSealed)) {
    }
    for (size_t i = 0; i < SendQueues::kAudioSlots; ++i)
      queues.push_audio(packet_of(kAudioSize, 2));
    if (!queues.video_waiting()) queues.offer_video(frame_of_size(20000));
  };
  for (int i = 0; i < 5000; ++i) {
    refill();
    SendQueues::Taken t = queues.take(out);
    ASSERT_NE(t.kind, SendQueues::Kind::kNone);
    cost[size_t(t.kind)] +=
        (t.kind == SendQueues::Kind::kVideo ? t.video.size() : t.size) + SendQueues::kPacketCharge;
  }
  const double total = double(cost[1] + cost[2] + cost[3]);
  const double quanta =
      double(SendQueues::kControlQuantum + SendQueues::kAudioQuantum + SendQueues::kVideoQuantum);
  // Close to the quanta's ratio (packets do not divide quanta exactly).
  EXPECT_NEAR(cost[1] / total, SendQueues::kControlQuantum / quanta, 0.01);
  EXPECT_NEAR(cost[2] / total, SendQueues::kAudioQuantum / quanta, 0.01);
  EXPECT_NEAR(cost[3] / total, SendQueues::kVideoQuantum / quanta, 0.01);
}

// A frame larger than video's quantum waits a few rounds for its share, not for ever.
TEST_F(SendQueuesTest, AFrameLargerThanItsQuantumGoesWithinItsRounds) {
  queues.offer_video(frame_of_size(3 * SendQueues::kVideoQuantum));
  constexpr size_t kSize = kMaxControlPacket - kSealOverhead;
  size_t control_bytes = 0;
  for (int takes = 0;; ++takes) {
    ASSERT_LT(takes, 10000) << "the frame never went";
    while (queues.push_control(packet_of(kSize, 1), Sealing::kSealed)) {
    }
    const SendQueues::Taken t = queues.take(out);
    if (t.kind == SendQueues::Kind::kVideo) break;
    ASSERT_EQ(t.kind, SendQueues::Kind::kControl);
    control_bytes += t.size;
  }
  // Three rounds of video's quantum, and control's quantum (plus one packet) in each.
  EXPECT_LE(control_bytes, 3 * (SendQueues::kControlQuantum + kSize));
  EXPECT_GT(control_bytes, 0u);
}

TEST_F(SendQueuesTest, AClassAloneOnTheLineSendsAtOnce) {
  queues.offer_video(frame_of_size(4 * SendQueues::kVideoQuantum));
  EXPECT_EQ(queues.take(out).kind, SendQueues::Kind::kVideo);
  queues.push_control(packet_of(kMaxControlPacket - kSealOverhead, 1), Sealing::kSealed);
  EXPECT_EQ(queues.take(out).kind, SendQueues::Kind::kControl);
}

// When the socket has no room for the frame yet, control cannot fill it meanwhile: at the
// frame's turn control waits (audio still goes), and the frame goes first once there is
// room.
TEST_F(SendQueuesTest, ControlWaitsAtTheTurnOfAFrameThatHasNoRoomYet) {
  queues.offer_video(video_of(1));
  int control = 0;
  for (int i = 0; i < 1000; ++i) {
    while (queues.push_control(packet_of(40, 1), Sealing::kSealed)) {
    }
    const SendQueues::Kind kind = queues.take(out, /*video_allowed=*/false).kind;
    if (kind == SendQueues::Kind::kNone) break;
    ASSERT_EQ(kind, SendQueues::Kind::kControl);
    ++control;
  }
  EXPECT_LE(size_t(control), SendQueues::kControlQuantum / (40 + SendQueues::kPacketCharge) + 1);
  queues.push_audio(packet_of(10, 2));
  EXPECT_EQ(queues.take(out, false).kind, SendQueues::Kind::kAudio);
  EXPECT_EQ(queues.take(out, false).kind, SendQueues::Kind::kNone);
  EXPECT_EQ(queues.take(out, true).kind, SendQueues::Kind::kVideo);
  EXPECT_EQ(queues.take(out, true).kind, SendQueues::Kind::kControl);
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
