// How close what a viewer sees is to what the server composed. Each participant's picture
// first takes the camera's way up (JPEG 4:2:0 q75, decoded: what the server has of it); the
// server's canvas is
// encoded as the compositor encodes it (server::ViewEncoder), travels as a VideoDown
// payload, is decoded as the client decodes it (client::VideoReceiver) and rendered as
// text (media::FrameRenderer, half blocks, true colour); the cells are held against the
// same renderer's cells of the canvas itself. The mean absolute error per colour channel
// must stay within 4 of 255, on the moving test pattern and on a video made here.
#include <gtest/gtest.h>

#include <array>
#include <cmath>
#include <cstdlib>
#include <string>
#include <vector>

#include "client/test_patterns.h"
#include "client/video_receiver.h"
#include "client/video_source.h"
#include "core/alloc_accounting.h"
#include "media/compose.h"
#include "media/frame_renderer.h"
#include "media/jpeg_codec.h"
#include "media/layout.h"
#include "media_writer.h"
#include "net/protocol.h"
#include "server/view_encoder.h"
#include "temp_dir.h"

namespace ttycall::itest {
namespace {

constexpr int kCols = 160;
constexpr int kRows = 48;
// The grids measured: the 4 the calls tests hold and the 8 of the load generator's call.
constexpr std::array<int, 2> kGrids = {4, 8};
constexpr int kMaxParticipants = 8;
constexpr int kFrames = 30;
constexpr double kMaxMeanError = 4;

const core::AllocSite& test_site() {
  static const core::AllocSite site("test.fidelity");
  return site;
}

// Error summed over the cells of frames compared so far, per channel.
struct Error {
  std::array<double, 3> sum{};
  double samples = 0;
  double mean(int channel) const { return samples > 0 ? sum[size_t(channel)] / samples : 0; }
};

void add_color(Error& error, uint32_t got, uint32_t want) {
  const auto g = media::shown_color(got, media::ColorMode::kTrueColor);
  const auto w = media::shown_color(want, media::ColorMode::kTrueColor);
  ASSERT_TRUE(g && w);
  error.sum[0] += std::abs(int(g->r) - int(w->r));
  error.sum[1] += std::abs(int(g->g) - int(w->g));
  error.sum[2] += std::abs(int(g->b) - int(w->b));
  error.samples += 1;
}

// The wire payload of one composed view: the header the compositor writes, then the JPEG.
std::vector<uint8_t> video_down_payload(const server::EncodedView& encoded) {
  net::VideoDownHeader header;
  header.frame_number = 1;
  header.cols = kCols;
  header.rows = kRows;
  header.quality = uint8_t(server::kPictureQuality);
  header.tables_hash = encoded.tables_hash;
  header.tile_count = encoded.frame_tiles(kCols, kRows, header.tiles);
  std::vector<uint8_t> payload(net::max_payload(net::MsgType::kVideoDown));
  const size_t fixed = net::encode(header, payload);
  payload.resize(fixed);
  payload.insert(payload.end(), encoded.picture.begin(), encoded.picture.end());
  return payload;
}

// Composes, sends through the codec and renders `frames` frames of a grid of `participants`
// sources that `draw(participant, frame, tile)` paints; returns the error of the received
// cells.
template <class Draw>
Error measure(int participants, Draw&& draw) {
  std::array<media::TileRect, media::kMaxTiles> tiles{};
  EXPECT_EQ(media::grid_layout(participants, kCols, kRows, tiles), participants);
  std::vector<std::vector<uint8_t>> pictures(static_cast<size_t>(participants));
  std::vector<media::TileSource> sources(static_cast<size_t>(participants));
  media::ComposeScratch reference(test_site());
  server::ViewEncoder encoder(test_site());
  client::VideoReceiver receiver;
  media::FrameRenderer sent_renderer(test_site());
  media::FrameRenderer received_renderer(test_site());
  media::JpegEncoder camera_encoder;  // the camera uplink's settings
  media::JpegDecoder camera_decoder;
  std::vector<uint8_t> camera_jpeg;
  const media::RenderTarget target{kCols, kRows, media::RenderMode::kHalf,
                                   media::ColorMode::kTrueColor};
  Error error;
  for (int f = 0; f < kFrames; ++f) {
    for (int i = 0; i < participants; ++i) {
      const int w = tiles[i].cols, h = tiles[i].rows * 2;
      pictures[i].resize(size_t(w) * h * 3);
      draw(i, f, media::MutableImageView{pictures[i].data(), w, h, w * 3});
      camera_jpeg.resize(media::JpegEncoder::max_size(w, h));
      camera_jpeg.resize(camera_encoder.encode({pictures[i].data(), w, h, w * 3}, camera_jpeg));
      media::JpegInfo info;
      EXPECT_TRUE(camera_decoder.read_info(camera_jpeg, info));
      EXPECT_TRUE(camera_decoder.decode(camera_jpeg, info, pictures[i]));
      sources[i] = {{pictures[i].data(), w, h, w * 3}, {}, false};
    }
    const media::ComposeInput input{kCols, kRows, media::TileLayout::kGrid, 0, sources};
    const media::ComposedView canvas = media::compose(input, reference);
    sent_renderer.render(canvas.picture, target, {}, true);

    const server::EncodedView encoded = encoder.encode(input);
    EXPECT_FALSE(encoded.picture.empty());
    const std::vector<uint8_t> payload = video_down_payload(encoded);
    EXPECT_EQ(receiver.receive(payload, kCols, kRows), client::VideoReceiver::Received::kFrame)
        << "frame " << f;
    // Larger than the view this viewer asked for: refused before decoding, and the good
    // frame just received stays to be measured.
    EXPECT_EQ(receiver.receive(payload, kCols - 1, kRows),
              client::VideoReceiver::Received::kTooLarge);
    EXPECT_EQ(receiver.receive(payload, kCols, kRows - 1),
              client::VideoReceiver::Received::kTooLarge);
    received_renderer.render(receiver.picture(), target, {}, true);

    const auto want = sent_renderer.cells();
    const auto got = received_renderer.cells();
    EXPECT_EQ(got.size(), want.size());
    for (size_t c = 0; c < std::min(got.size(), want.size()); ++c) {
      add_color(error, got[c].fg, want[c].fg);  // the top pixel
      add_color(error, got[c].bg, want[c].bg);  // the bottom pixel
    }
  }
  return error;
}

void expect_faithful(const Error& error, const std::string& what) {
  EXPECT_GT(error.samples, 0);
  for (int channel = 0; channel < 3; ++channel) {
    EXPECT_LE(error.mean(channel), kMaxMeanError) << what << ": mean absolute error of channel "
                                                  << "RGB"[channel];
  }
  std::printf("%s: mean absolute error R %.2f G %.2f B %.2f over %.0f cell halves\n", what.c_str(),
              error.mean(0), error.mean(1), error.mean(2), error.samples);
}

TEST(PictureFidelity, TheMovingPatternArrivesWithinFourOf255PerChannel) {
  for (const int participants : kGrids) {
    std::vector<client::MovingSource> people;
    for (int i = 0; i < participants; ++i) people.emplace_back(uint32_t(i + 1));
    const Error error =
        measure(participants, [&people](int i, int frame, media::MutableImageView tile) {
          people[size_t(i)].capture(tile, uint64_t(frame), frame / 30.0);
        });
    expect_faithful(error, "test:moving, " + std::to_string(participants) + " participants");
  }
}

TEST(PictureFidelity, AVideoArrivesWithinFourOf255PerChannel) {
  TempDir dir;
  const std::string path = dir.file("call.mkv");
  TestMedia media;
  media.audio_codec = "";
  media.seconds = 1.5;
  ASSERT_EQ(write_test_media(path, media), "");
  std::vector<std::unique_ptr<client::VideoSource>> people;
  for (int i = 0; i < kMaxParticipants; ++i) {
    auto opened = client::make_video_source("file:" + path, uint32_t(i));
    ASSERT_TRUE(opened.is_ok()) << opened.status().message();
    people.push_back(std::move(opened->source));
  }
  for (const int participants : kGrids) {
    const Error error =
        measure(participants, [&people](int i, int frame, media::MutableImageView tile) {
          people[size_t(i)]->capture(tile, uint64_t(frame), frame / 30.0);
        });
    expect_faithful(error, "a video, " + std::to_string(participants) + " participants");
  }
}

}  // namespace
}  // namespace ttycall::itest
