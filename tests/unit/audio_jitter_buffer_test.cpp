// JitterBuffer (src/media/audio/jitter_buffer.h) driven by simulated networks: packets are
// sent every 20 ms and arrive after a chosen transit time; the player pulls every 20 ms.
// Each packet carries its own sequence number so the test can see exactly what was played.
#include "media/audio/jitter_buffer.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cstring>
#include <optional>
#include <random>
#include <vector>

namespace ttycall::media::audio {
namespace {

using Action = JitterBuffer::Action;
constexpr uint64_t kFrameUs = 20000;

struct Arrival {
  uint32_t seq;
  uint64_t at_us;
};

struct Played {
  uint64_t at_us;
  Action action;
  uint32_t seq;                // the frame this pull stands for
  std::optional<uint32_t> in;  // the sequence number inside the packet handed out, if any
  int delay_ms;
  int target;
};

std::vector<uint8_t> packet_for(uint32_t seq) {
  std::vector<uint8_t> p(40, uint8_t(seq));
  std::memcpy(p.data(), &seq, 4);
  return p;
}

// Packets `first`..`first+count-1`, sent every 20 ms from `first`'s send time; transit(i)
// gives each one's delay (nullopt: lost).
template <class Transit>
std::vector<Arrival> stream(uint32_t first, int count, Transit transit) {
  std::vector<Arrival> out;
  for (int i = 0; i < count; ++i) {
    const uint32_t seq = first + uint32_t(i);
    const std::optional<uint64_t> t = transit(i);
    if (t) out.push_back({seq, uint64_t(i) * kFrameUs + *t});
  }
  return out;
}

// Pulls every 20 ms (at `phase_us` + k x 20 ms) until `end_us`, pushing each packet when its
// arrival time has come. Packets arriving at the same time keep their list order.
std::vector<Played> play(JitterBuffer& jb, std::vector<Arrival> arrivals, uint64_t end_us,
                         uint64_t phase_us = 10000) {
  std::stable_sort(arrivals.begin(), arrivals.end(),
                   [](const Arrival& a, const Arrival& b) { return a.at_us < b.at_us; });
  std::vector<Played> out;
  size_t next = 0;
  for (uint64_t t = phase_us; t <= end_us; t += kFrameUs) {
    for (; next < arrivals.size() && arrivals[next].at_us <= t; ++next) {
      const auto p = packet_for(arrivals[next].seq);
      jb.push(arrivals[next].seq, 1000 + arrivals[next].seq, p, arrivals[next].at_us);
    }
    const auto pulled = jb.pull(t);
    Played r{t, pulled.action, pulled.seq, std::nullopt, jb.delay_ms(), jb.target_frames()};
    if (!pulled.packet.empty()) {
      uint32_t in = 0;
      std::memcpy(&in, pulled.packet.data(), 4);
      r.in = in;
    }
    out.push_back(r);
  }
  return out;
}

// The frames decoded from their own packets, in playing order.
std::vector<uint32_t> decoded(const std::vector<Played>& played) {
  std::vector<uint32_t> out;
  for (const Played& p : played) {
    if (p.action == Action::kDecode) out.push_back(*p.in);
  }
  return out;
}

bool consecutive(const std::vector<uint32_t>& v) {
  for (size_t i = 1; i < v.size(); ++i) {
    if (v[i] != v[i - 1] + 1) return false;
  }
  return true;
}

TEST(AudioJitterBuffer, InOrderStreamPlaysEveryPacketOnceWithSmallDelay) {
  JitterBuffer jb;
  const auto played = play(jb, stream(0, 200, [](int) { return uint64_t(5000); }), 200 * kFrameUs);
  const auto d = decoded(played);
  ASSERT_GE(d.size(), 195u);
  EXPECT_EQ(d.front(), 0u);
  EXPECT_TRUE(consecutive(d));
  EXPECT_EQ(jb.stats().received, 200u);
  EXPECT_EQ(jb.stats().lost, 0u);
  EXPECT_EQ(jb.stats().concealed, 0u);
  EXPECT_EQ(jb.stats().late, 0u);
  EXPECT_EQ(jb.target_frames(), 1);  // no jitter measured
  EXPECT_LE(played.back().delay_ms, 40);
  // Capture times travel with the packets.
  jb.push(200, 4242, packet_for(200), 200 * kFrameUs + 5000);
  EXPECT_EQ(jb.pull(200 * kFrameUs + 10000).capture_us, 4242u);
}

TEST(AudioJitterBuffer, ReorderedPacketsArePlayedInOrder) {
  JitterBuffer jb;
  // Every pair swapped: 1 arrives before 0, 3 before 2, ...
  const auto arrivals =
      stream(0, 200, [](int i) { return std::optional<uint64_t>(i % 2 == 0 ? 26000 : 5000); });
  const auto played = play(jb, arrivals, 200 * kFrameUs);
  const auto d = decoded(played);
  EXPECT_TRUE(consecutive(d));
  EXPECT_EQ(d.front(), 0u);
  EXPECT_EQ(jb.stats().late, 0u);
  EXPECT_EQ(jb.stats().lost, 0u);
  EXPECT_LE(jb.stats().concealed, 2u);  // while the target grows to cover the swap
}

TEST(AudioJitterBuffer, LostPacketsAreConcealedFromTheNextPacketsFec) {
  JitterBuffer jb;
  const auto arrivals = stream(0, 100, [](int i) -> std::optional<uint64_t> {
    if (i == 30 || i == 60) return std::nullopt;
    return 5000;
  });
  const auto played = play(jb, arrivals, 100 * kFrameUs);
  // At the smallest delay the first gap looks like a late packet: one underrun (conceal and
  // wait) before the loss is certain. Every concealed frame is a loss or an underrun.
  EXPECT_EQ(jb.stats().lost, 2u);
  EXPECT_EQ(jb.stats().fec_recovered, 2u);
  EXPECT_LE(jb.stats().underruns, 1u);
  EXPECT_EQ(jb.stats().concealed, jb.stats().lost + jb.stats().underruns);
  int fec = 0;
  for (const Played& p : played) {
    if (p.action != Action::kDecodeFec) continue;
    ++fec;
    EXPECT_TRUE(p.seq == 30 || p.seq == 60);
    EXPECT_EQ(*p.in, p.seq + 1);  // the FEC data is in the next packet
  }
  EXPECT_EQ(fec, 2);
  // Nothing else was skipped.
  const auto d = decoded(played);
  EXPECT_EQ(std::count(d.begin(), d.end(), 30u), 0);
  EXPECT_EQ(d.size() + 2, size_t(d.back() - d.front() + 1));
}

TEST(AudioJitterBuffer, TwoLostInARowAreConcealedThenFecAndTheDelayRecovers) {
  JitterBuffer jb;
  const auto arrivals = stream(0, 200, [](int i) -> std::optional<uint64_t> {
    if (i == 20 || i == 21) return std::nullopt;
    return 5000;
  });
  const auto played = play(jb, arrivals, 200 * kFrameUs);
  EXPECT_EQ(jb.stats().lost, 2u);
  EXPECT_EQ(jb.stats().fec_recovered, 1u);  // 21 from 22's FEC; 20 by PLC
  EXPECT_EQ(jb.stats().concealed, jb.stats().lost + jb.stats().underruns);
  // The underruns stretched the delay by a frame each; once the excess had persisted for
  // a shrink window, a drop per window took it back to where it was.
  EXPECT_GT(jb.stats().underruns, 0u);
  EXPECT_EQ(jb.stats().dropped, jb.stats().underruns);
  EXPECT_EQ(played[15].delay_ms, 5);  // the transit phase: 5 ms after the earliest arrival
  EXPECT_EQ(played.back().delay_ms, 5);
}

TEST(AudioJitterBuffer, BurstLatePacketsStretchInsteadOfBeingLost) {
  JitterBuffer jb;
  // 100 ms network stall: packets 50..54 are held and arrive together with packet 55.
  const auto arrivals = stream(0, 300, [](int i) {
    if (i >= 50 && i < 55) return uint64_t(55 - i) * kFrameUs + 5000;
    return uint64_t(5000);
  });
  const auto played = play(jb, arrivals, 300 * kFrameUs);
  const auto d = decoded(played);
  EXPECT_EQ(jb.stats().lost, 0u);
  EXPECT_EQ(jb.stats().late, 0u);
  EXPECT_GT(jb.stats().underruns, 0u);
  // Every pull answered; the stall cost a few concealed frames, and no packet was skipped
  // except perhaps a few dropped later to bring the delay back down.
  EXPECT_EQ(played.size(), 300u);
  EXPECT_LE(jb.stats().concealed, 5u);
  EXPECT_LE(jb.stats().dropped, 5u);
  for (size_t i = 1; i < d.size(); ++i) EXPECT_GT(d[i], d[i - 1]);
  EXPECT_EQ(d.size() + jb.stats().dropped, d.back() - d.front() + 1);
  // The burst raised the target; the delay never ran away.
  int max_target = 0;
  for (const Played& p : played) {
    max_target = std::max(max_target, p.target);
    EXPECT_LE(p.delay_ms, (8 + 2 + 1) * kFrameMs);
  }
  EXPECT_GE(max_target, 5);
}

TEST(AudioJitterBuffer, DelayAdaptsUpUnderJitterAndBackDownWhenCalm) {
  JitterBuffer jb;
  std::mt19937 rng(42);
  std::vector<uint64_t> transit(800);
  for (int i = 0; i < 800; ++i) transit[size_t(i)] = 5000 + (i < 400 ? rng() % 70000 : 0);
  const auto arrivals = stream(0, 800, [&](int i) { return transit[size_t(i)]; });
  const auto played = play(jb, arrivals, 800 * kFrameUs);

  auto at = [&](int pull) { return played[size_t(pull)]; };
  // Under 0-70 ms of jitter the target covers it: 4+ frames.
  EXPECT_GE(at(390).target, 4);
  EXPECT_GE(at(390).delay_ms, 60);
  // Concealment becomes rare once adapted (second half of the jittery phase).
  int concealed_late_half = 0;
  for (int i = 200; i < 400; ++i) concealed_late_half += at(i).action == Action::kConceal;
  EXPECT_LE(concealed_late_half, 10);
  // Calm again: two measurement windows later the target is back to the minimum and the
  // buffer has shrunk to within the margin of it.
  EXPECT_EQ(at(790).target, 1);
  EXPECT_LE(at(790).delay_ms, 2 * kFrameMs);
  EXPECT_LT(at(790).delay_ms, at(390).delay_ms);
  EXPECT_GT(jb.stats().dropped, 0u);
}

TEST(AudioJitterBuffer, NeverHoldsMoreThanItsSlotsAndCatchesUpAtOnce) {
  JitterBuffer jb;
  // 200 packets at once (a client that was suspended), then a normal stream.
  for (uint32_t s = 0; s < 200; ++s) jb.push(s, 0, packet_for(s), 0);
  EXPECT_LE(jb.buffered_frames(), JitterBuffer::kSlots);
  EXPECT_GT(jb.stats().resyncs, 0u);
  const auto p = jb.pull(10000);
  EXPECT_EQ(p.action, Action::kDecode);
  EXPECT_LE(jb.buffered_frames(), jb.target_frames());  // excess dropped at once
}

TEST(AudioJitterBuffer, ASequenceJumpResynchronises) {
  JitterBuffer jb;
  const auto first = stream(0, 20, [](int) { return uint64_t(5000); });
  play(jb, first, 20 * kFrameUs);
  // The sender restarted: its sequence starts again far away.
  std::vector<Arrival> second;
  for (uint32_t i = 0; i < 20; ++i) second.push_back({5000 + i, (20 + i) * kFrameUs + 5000});
  const auto played = play(jb, second, 40 * kFrameUs, 20 * kFrameUs + 10000);
  EXPECT_EQ(jb.stats().resyncs, 1u);
  const auto d = decoded(played);
  ASSERT_FALSE(d.empty());
  EXPECT_EQ(d.front(), 5000u);
  EXPECT_TRUE(consecutive(d));
}

TEST(AudioJitterBuffer, SequenceNumbersWrap) {
  JitterBuffer jb;
  const uint32_t start = 0xFFFFFFF0u;
  const auto played =
      play(jb, stream(start, 40, [](int) { return uint64_t(5000); }), 40 * kFrameUs);
  const auto d = decoded(played);
  ASSERT_GE(d.size(), 35u);
  EXPECT_EQ(d.front(), start);
  EXPECT_TRUE(consecutive(d));  // 0xFFFFFFFF + 1 == 0 in uint32_t
  EXPECT_EQ(jb.stats().lost + jb.stats().late + jb.stats().resyncs, 0u);
}

TEST(AudioJitterBuffer, LateDuplicateAndInvalidPacketsAreCounted) {
  JitterBuffer jb;
  play(jb, stream(0, 20, [](int) { return uint64_t(5000); }), 20 * kFrameUs);
  const auto p = packet_for(3);
  EXPECT_EQ(jb.push(3, 0, p, 21 * kFrameUs), JitterBuffer::PushResult::kLate);
  EXPECT_EQ(jb.stats().late, 1u);
  const auto q = packet_for(25);
  EXPECT_EQ(jb.push(25, 0, q, 21 * kFrameUs), JitterBuffer::PushResult::kStored);
  EXPECT_EQ(jb.push(25, 0, q, 21 * kFrameUs), JitterBuffer::PushResult::kDuplicate);
  EXPECT_EQ(jb.stats().duplicates, 1u);
  EXPECT_EQ(jb.push(26, 0, {}, 21 * kFrameUs), JitterBuffer::PushResult::kInvalid);
  std::vector<uint8_t> huge(kMaxPacketBytes + 1);
  EXPECT_EQ(jb.push(26, 0, huge, 21 * kFrameUs), JitterBuffer::PushResult::kInvalid);
  EXPECT_EQ(jb.stats().invalid, 2u);
}

TEST(AudioJitterBuffer, GoesIdleWhenTheStreamStopsAndRestartsCleanly) {
  JitterBuffer jb;
  // 40 packets, 1 s of nothing (the sender paused), then the stream continues.
  auto arrivals = stream(0, 40, [](int) { return uint64_t(5000); });
  for (uint32_t i = 40; i < 100; ++i) arrivals.push_back({i, (i + 50) * kFrameUs + 5000});
  const auto played = play(jb, arrivals, 150 * kFrameUs);
  // Silence (kNone) while idle instead of endless concealment; no packet lost.
  EXPECT_EQ(jb.stats().concealed, 5u);
  EXPECT_EQ(jb.jitter_ms(), 0);  // the pause was not taken for jitter
  EXPECT_EQ(jb.stats().lost, 0u);
  int none_while_paused = 0;
  for (const Played& p : played) {
    if (p.at_us > 50 * kFrameUs && p.at_us < 85 * kFrameUs) {
      none_while_paused += p.action == Action::kNone;
    }
  }
  EXPECT_GT(none_while_paused, 20);
  const auto d = decoded(played);
  EXPECT_TRUE(consecutive(d));
  EXPECT_GE(d.back(), 95u);
}

TEST(AudioJitterBuffer, NothingToPlayBeforeTheFirstPacket) {
  JitterBuffer jb;
  EXPECT_EQ(jb.pull(0).action, Action::kNone);
  EXPECT_EQ(jb.delay_ms(), 0);
  EXPECT_EQ(jb.stats().concealed, 0u);
}

}  // namespace
}  // namespace ttycall::media::audio
