// Specification of server::UplinkDecoder (src/server/uplink_decoder.h), camera side: frames
// are checked on the io thread and decoded on a decode worker, with one waiting slot per
// participant in which a newer frame replaces an older one.
#include "server/uplink_decoder.h"

#include <gtest/gtest.h>

#include <chrono>
#include <thread>
#include <vector>

#include "gate.h"
#include "media/jpeg_codec.h"
#include "server/participant.h"
#include "server/server_context.h"

namespace ttycall::server {
namespace {

using namespace std::chrono_literals;

struct NullOutbox : Outbox {
  bool send_control(std::span<const uint8_t>) override { return true; }
  bool send_audio(std::span<const uint8_t>) override { return true; }
  void offer_video(const core::PooledBuffer&) override {}
  void close_with_bye(net::ByeReason, std::string_view) override {}
};

// Holds the one decode worker at a gate, so frames pile up behind it.
struct GatedJob : DecodeWorkers::Job {
  ~GatedJob() = default;
  void run() override { gate.pass(); }
  test::Gate gate;
};

ServerOptions one_decoder() {
  ServerOptions options;
  options.insecure = true;  // no identity file
  options.decode_threads = 1;
  options.fps = 1000;  // the rate limit is not what this test is about
  return options;
}

// A VideoUp payload: a 32x16 baseline JPEG made by the server's own encoder.
std::vector<uint8_t> video_up(uint64_t capture_us) {
  constexpr int kW = 32, kH = 16;
  std::vector<uint8_t> rgb(size_t(kW) * kH * 3, 90);
  std::vector<uint8_t> jpeg(media::JpegEncoder::max_size(kW, kH));
  media::JpegEncoder encoder;
  jpeg.resize(encoder.encode({rgb.data(), kW, kH, kW * 3}, jpeg));
  std::vector<uint8_t> payload(net::kVideoUpHeaderSize + jpeg.size());
  net::encode(net::VideoUpHeader{1, capture_us, kW, kH},
              std::span(payload).first(net::kVideoUpHeaderSize));
  std::copy(jpeg.begin(), jpeg.end(), payload.begin() + net::kVideoUpHeaderSize);
  return payload;
}

// One participant's uplink in a server context with one decode worker, held busy.
struct HeldWorker : ::testing::Test {
  HeldWorker() {
    context.decoded_demand.add(1);       // as a compositor that shows it does
    participant.set_video_wanted(true);  // some viewer shows it, so its frames are decoded
    context.decode_workers.schedule(blocker);
    blocker.gate.wait_arrived();
  }
  ~HeldWorker() override {
    blocker.gate.open();
    context.decode_workers.cancel(blocker);
  }

  ServerContext context{one_decoder()};
  NullOutbox outbox;
  Participant participant{outbox};
  UplinkDecoder uplink{context, participant};
  GatedJob blocker;
};

using UplinkDecoderTest = HeldWorker;

TEST_F(UplinkDecoderTest, FramesWaitingForABusyWorkerReplaceEachOtherAndOnlyTheNewestIsDecoded) {
  constexpr int kFrames = 50;
  for (int i = 1; i <= kFrames; ++i) {
    std::this_thread::sleep_for(2ms);  // within the rate (1000 a second): none is refused
    ASSERT_TRUE(uplink.video(video_up(uint64_t(i))));
    // Bounded: this participant is in the queue once, its frames in its one slot.
    ASSERT_LE(context.decode_workers.queued(), 1u);
  }
  EXPECT_EQ(context.counters.video_frames_over_rate.load(), 0u);
  EXPECT_EQ(context.counters.video_frames_superseded.load(), uint64_t(kFrames - 1));
  EXPECT_EQ(context.counters.video_frames_in.load(), 0u) << "decoded on the caller's thread";
  EXPECT_EQ(participant.video_version(), 0u);

  blocker.gate.open();
  ASSERT_TRUE(test::eventually([&] { return context.counters.video_frames_in.load() == 1; }));
  ASSERT_TRUE(test::eventually([&] { return context.decode_workers.queued() == 0; }));
  std::this_thread::sleep_for(50ms);  // nothing more comes
  EXPECT_EQ(context.counters.video_frames_in.load(), 1u);
  const VideoFrame latest = participant.latest_video();
  EXPECT_EQ(latest.capture_us, uint64_t(kFrames)) << "the newest frame wins";
  EXPECT_EQ(latest.width, 32);
}

TEST_F(UplinkDecoderTest, AfterStopNoFrameReachesTheParticipant) {
  ASSERT_TRUE(uplink.video(video_up(1)));
  uplink.stop();
  ASSERT_TRUE(uplink.video(video_up(2)));
  blocker.gate.open();
  ASSERT_TRUE(test::eventually([&] { return context.decode_workers.queued() == 0; }));
  std::this_thread::sleep_for(50ms);
  EXPECT_EQ(participant.video_version(), 0u);
  EXPECT_EQ(context.counters.video_frames_in.load(), 0u);
}

}  // namespace
}  // namespace ttycall::server
