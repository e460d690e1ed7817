// Real media: files made at test time with the FFmpeg libraries (a moving picture with a
// tone, in two containers) played through a real call on 127.0.0.1; the viewer's last frame
// must show the file's picture and the listener's recording its tone. `ttycall mirror
// --snapshot` of a known image must match a golden text, and sources that cannot be opened
// must fail with one clear line, never a hang.
#include <gtest/gtest.h>
#include <signal.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <nlohmann/json.hpp>
#include <optional>
#include <sstream>
#include <string>
#include <vector>

#include "client_process.h"
#include "frame_parser.h"
#include "free_port.h"
#include "json_file.h"
#include "media/audio/tone.h"
#include "media/audio/wav_file.h"
#include "media_writer.h"
#include "server_process.h"
#include "temp_dir.h"
#include "text_file.h"
#include "ttycall_binary.h"

namespace ttycall::itest {
namespace {

using namespace std::chrono_literals;
namespace audio = media::audio;

constexpr double kTone = 440;

std::vector<float> read_wav(const std::string& path) {
  audio::WavReader reader;
  std::vector<float> samples;
  if (const core::Status opened = reader.open(path); !opened.is_ok()) {
    ADD_FAILURE() << "cannot read " << path << ": " << opened.message();
    return samples;
  }
  std::vector<float> chunk(audio::kFrameSamples);
  while (true) {
    const size_t n = reader.read(chunk);
    samples.insert(samples.end(), chunk.begin(), chunk.begin() + long(n));
    if (n < chunk.size()) break;
  }
  return samples;
}

// A cell showing a clearly red (or blue) picture in half-block true colour.
bool is(const TermColor& c, int channel) {
  if (c.kind != TermColor::Kind::kRgb) return false;
  const int v[3] = {c.r, c.g, c.b};
  for (int i = 0; i < 3; ++i) {
    if (i == channel ? v[i] < 180 : v[i] > 80) return false;
  }
  return true;
}

struct Hues {
  int red = 0, blue = 0;
  double red_col = 0, blue_col = 0;  // mean column
};

Hues hues_of(const ParsedFrame& frame) {
  Hues h;
  for (int r = 1; r <= frame.rows; ++r) {
    for (int c = 1; c <= frame.cols; ++c) {
      const Cell& cell = frame.at(r, c);
      if (is(cell.fg, 0) && is(cell.bg, 0)) ++h.red, h.red_col += c;
      if (is(cell.fg, 2) && is(cell.bg, 2)) ++h.blue, h.blue_col += c;
    }
  }
  if (h.red) h.red_col /= h.red;
  if (h.blue) h.blue_col /= h.blue;
  return h;
}

struct Container {
  const char* file;
  const char* video_codec;
  const char* audio_codec;
};

void PrintTo(const Container& c, std::ostream* os) {
  *os << c.file << " (" << c.video_codec << " + " << c.audio_codec << ")";
}

class MediaCall : public ::testing::TestWithParam<Container> {};

// One participant plays a 2 s clip (looped) as their camera; by the rule "a --video file's
// own sound is used when --audio is not given" its tone is their voice. A second participant
// watches and listens.
TEST_P(MediaCall, ViewerSeesTheFilesPictureAndHearsItsTone) {
  constexpr double kDuration = 6;
  const Container& container = GetParam();
  TempDir dir;
  const std::string clip = dir.file(container.file);
  TestMedia media;
  media.video_codec = container.video_codec;
  media.audio_codec = container.audio_codec;
  media.tone_hz = kTone;
  const std::string written = write_test_media(clip, media);
  ASSERT_EQ(written, "") << "cannot make the test clip " << clip;

  ServerProcess server({}, dir.file("server.stderr"));
  ClientSpec player;
  player.name = "player";
  player.video = "file:" + clip;
  player.duration = kDuration + 3;  // still in the call when the viewer saves its last frame
  player.stats_json = dir.file("player.json");
  player.extra_args = {"--loop", "--audio-out", "null"};
  ChildProcess p = start_client(server.port(), player, dir.file("player.stderr"));
  ClientSpec viewer;
  viewer.name = "viewer";
  viewer.video = "none";
  viewer.duration = kDuration;
  viewer.save_last_frame = dir.file("viewer.frame");
  viewer.extra_args = {"--audio", "none", "--audio-out", "file:" + dir.file("viewer.wav")};
  ChildProcess v = start_client(server.port(), viewer, dir.file("viewer.stderr"));

  const std::optional<ExitStatus> viewed = v.wait_for(std::chrono::seconds(int(kDuration) + 20));
  ASSERT_TRUE(viewed) << "the viewer did not end after its --duration";
  EXPECT_TRUE(viewed->success()) << viewed->describe() << "; stderr:\n"
                                 << read_file_or_empty(dir.file("viewer.stderr"));
  p.send_signal(SIGTERM);
  const std::optional<ExitStatus> played = p.wait_for(10s);
  ASSERT_TRUE(played) << "the player did not stop on SIGTERM";
  EXPECT_TRUE(played->success()) << played->describe() << "; stderr:\n"
                                 << read_file_or_empty(dir.file("player.stderr"));
  if (HasFailure()) return;

  // The picture: red on the left of the tile, blue on the right (a file is not mirrored).
  const ParsedFrame frame = parse_frame(read_file_or_empty(dir.file("viewer.frame")), 80, 24);
  EXPECT_TRUE(frame.problems.empty()) << (frame.problems.empty() ? "" : frame.problems.front());
  const Hues hues = hues_of(frame);
  EXPECT_GT(hues.red, 40) << "the viewer does not see the clip's red half";
  EXPECT_GT(hues.blue, 40) << "the viewer does not see the clip's blue half";
  EXPECT_LT(hues.red_col, hues.blue_col) << "the clip is shown mirrored";

  // The sound: the clip's 440 Hz tone, clearly, after joining and prebuffering.
  const std::vector<float> heard = read_wav(dir.file("viewer.wav"));
  ASSERT_GT(heard.size(), size_t(4 * audio::kSampleRate)) << "the recording is too short";
  const std::span<const float> judged =
      std::span<const float>(heard).subspan(2 * audio::kSampleRate);
  const float tone = audio::goertzel_amplitude(judged, kTone);
  const float other = audio::goertzel_amplitude(judged, 660);
  EXPECT_GT(tone, 0.03f) << "the listener does not hear the clip's tone";
  EXPECT_LT(other, tone / 10) << "the recording is noise, not the tone";
  std::printf(
      "[ media    ] %s: red %d cells (mean col %.1f), blue %d (%.1f); tone %.3f, 660 Hz %.4f\n",
      container.file, hues.red, hues.red_col, hues.blue, hues.blue_col, double(tone),
      double(other));
}

INSTANTIATE_TEST_SUITE_P(Containers, MediaCall,
                         ::testing::Values(Container{"clip.mkv", "mpeg4", "aac"},
                                           Container{"clip.webm", "libvpx", "libopus"}),
                         [](const auto& info) {
                           return std::string(info.param.video_codec) + "_" +
                                  info.param.audio_codec;
                         });

// `--audio file:PATH` plays any file FFmpeg decodes (here Ogg Vorbis, no picture) as the
// voice; it ends in silence, so the listener hears the tone, then nothing.
TEST(MediaVoice, AudioFileIsHeardByTheListener) {
  constexpr double kDuration = 6;
  TempDir dir;
  const std::string song = dir.file("tone.ogg");
  TestMedia media;
  media.video_codec = "";
  media.audio_codec = "libvorbis";
  media.seconds = 4;
  ASSERT_EQ(write_test_media(song, media), "") << "cannot make " << song;

  ServerProcess server({}, dir.file("server.stderr"));
  ClientSpec talker;
  talker.name = "talker";
  talker.video = "none";
  talker.duration = kDuration + 3;
  talker.extra_args = {"--audio", "file:" + song, "--audio-out", "null"};
  ChildProcess t = start_client(server.port(), talker, dir.file("talker.stderr"));
  ASSERT_TRUE(server.wait_for_stderr("joined as participant", 1, 10s)) << server.stderr_text();
  ClientSpec listener;
  listener.name = "listener";
  listener.video = "none";
  listener.duration = kDuration;
  listener.extra_args = {"--audio", "none", "--audio-out", "file:" + dir.file("listener.wav")};
  ChildProcess l = start_client(server.port(), listener, dir.file("listener.stderr"));
  const std::optional<ExitStatus> status = l.wait_for(std::chrono::seconds(int(kDuration) + 20));
  ASSERT_TRUE(status && status->success())
      << (status ? status->describe() : "hung") << "; stderr:\n"
      << read_file_or_empty(dir.file("listener.stderr")) << "talker's stderr:\n"
      << read_file_or_empty(dir.file("talker.stderr"));

  const std::vector<float> heard = read_wav(dir.file("listener.wav"));
  ASSERT_GT(heard.size(), size_t(3 * audio::kSampleRate)) << "the recording is too short";
  // The talker joined first, so the file is about half a second in when the listener
  // starts recording; seconds 1 to 3 are well inside the 4 s tone.
  const std::span<const float> judged =
      std::span<const float>(heard).subspan(audio::kSampleRate, 2 * audio::kSampleRate);
  const float tone = audio::goertzel_amplitude(judged, kTone);
  EXPECT_GT(tone, 0.03f) << "the listener does not hear the file";
  std::printf("[ media    ] --audio file:tone.ogg heard at %.3f\n", double(tone));
}

struct RunResult {
  std::optional<ExitStatus> status;
  std::string out, err;
};

// `ttycall <args>`, bounded by 20 s.
RunResult run_ttycall(const TempDir& dir, std::vector<std::string> args) {
  args.insert(args.begin(), ttycall_binary());
  ChildProcess child = ChildProcess::start(args, dir.file("run.stdout"), dir.file("run.stderr"));
  RunResult run;
  run.status = child.wait_for(20s);
  run.out = read_file_or_empty(dir.file("run.stdout"));
  run.err = read_file_or_empty(dir.file("run.stderr"));
  return run;
}

// A known picture, made the same way every time: a diagonal gradient with a dark disc
// left of centre and a bright bar on the right, as a binary PPM that FFmpeg reads.
void write_known_image(const std::string& path, int width, int height) {
  std::ofstream out(path, std::ios::binary);
  out << "P6\n" << width << " " << height << "\n255\n";
  for (int y = 0; y < height; ++y) {
    for (int x = 0; x < width; ++x) {
      int v = (x * 255 / (width - 1) + y * 255 / (height - 1)) / 2;
      const int dx = x - width / 3, dy = y - height / 2;
      if (dx * dx + dy * dy < (height / 3) * (height / 3)) v = 20;
      if (x > width * 3 / 4 && x < width * 3 / 4 + 3) v = 250;
      const char px[3] = {char(v), char(v), char(255 - v)};
      out.write(px, 3);
    }
  }
}

std::string golden_path() {
  return std::string(TTYCALL_GOLDEN_DIR) + "/mirror_snapshot_ascii_none.txt";
}

TEST(MediaMirror, SnapshotOfAKnownImageMatchesTheGoldenText) {
  TempDir dir;
  const std::string image = dir.file("known.ppm");
  write_known_image(image, 40, 24);
  const RunResult run =
      run_ttycall(dir, {"mirror", "--video", "file:" + image, "--snapshot", "--size", "40x12",
                        "--render", "ascii", "--color", "none"});
  ASSERT_TRUE(run.status && run.status->success())
      << (run.status ? run.status->describe() : "hung") << "; stderr: " << run.err;
  if (std::getenv("TTYCALL_UPDATE_GOLDENS")) {
    std::ofstream(golden_path(), std::ios::binary) << run.out;
  }
  const std::optional<std::string> golden = read_file(golden_path());
  ASSERT_TRUE(golden) << "missing golden " << golden_path()
                      << " (run with TTYCALL_UPDATE_GOLDENS=1 to create it)";
  EXPECT_EQ(run.out, *golden) << "the snapshot differs from the golden; as text:\n"
                              << strip_control_sequences(run.out);
}

// --flip mirrors a file left to right: at the image's own size, every row reversed.
TEST(MediaMirror, FlipMirrorsTheSnapshot) {
  TempDir dir;
  const std::string image = dir.file("known.ppm");
  write_known_image(image, 40, 24);
  const std::vector<std::string> base = {"mirror",  "--video", "file:" + image, "--snapshot",
                                         "--size",  "40x12",   "--render",      "ascii",
                                         "--color", "none"};
  const RunResult plain = run_ttycall(dir, base);
  std::vector<std::string> flipped_args = base;
  flipped_args.push_back("--flip");
  const RunResult flipped = run_ttycall(dir, flipped_args);
  ASSERT_TRUE(plain.status && plain.status->success()) << plain.err;
  ASSERT_TRUE(flipped.status && flipped.status->success()) << flipped.err;
  const ParsedFrame a = parse_frame(plain.out, 40, 12);
  const ParsedFrame b = parse_frame(flipped.out, 40, 12);
  bool any_asymmetric = false;
  for (int r = 1; r <= 12; ++r) {
    std::string row = a.row_ascii(r);
    any_asymmetric |= row != std::string(row.rbegin(), row.rend());
    EXPECT_EQ(std::string(row.rbegin(), row.rend()), b.row_ascii(r)) << "row " << r;
  }
  EXPECT_TRUE(any_asymmetric) << "the known image should not be symmetric";
}

// Sources that cannot be opened: non-zero exit, one line saying what and how to fix, fast.
TEST(MediaErrors, UnopenableSourcesFailWithOneClearLine) {
  TempDir dir;
  const std::string garbage = dir.file("garbage.mp4");
  std::ofstream(garbage, std::ios::binary) << std::string(4096, '\x5a');
  struct Case {
    std::vector<std::string> args;
    std::string says;
  };
  std::vector<Case> cases = {
      {{"mirror", "--video", "file:" + dir.file("missing.mp4"), "--snapshot"}, "check the path"},
      {{"mirror", "--video", "file:" + garbage, "--snapshot"}, "garbage.mp4"},
      {{"mirror", "--video", "v4l2:/dev/video99", "--snapshot"}, "no camera /dev/video99"},
      {{"client", "--headless", "--video", "none", "--audio", "file:" + dir.file("missing.ogg")},
       "check the path"},
      {{"client", "--headless", "--video", "file:" + dir.file("missing.webm")}, "check the path"},
      {{"mirror", "--video",
        "http://127.0.0.1:" + std::to_string(unused_loopback_port()) + "/clip.webm", "--snapshot"},
       "check the address"},
  };
  if (!std::ifstream("/dev/video0")) {
    cases.push_back({{"mirror", "--video", "device", "--snapshot"}, "no camera found"});
  }
  for (const Case& c : cases) {
    std::string command;
    for (const std::string& a : c.args) command += " " + a;
    SCOPED_TRACE("ttycall" + command);
    const RunResult run = run_ttycall(dir, c.args);
    ASSERT_TRUE(run.status) << "it hung";
    EXPECT_TRUE(run.status->exited) << run.status->describe();
    EXPECT_NE(run.status->code, 0);
    EXPECT_TRUE(run.out.empty()) << "stdout: " << run.out;
    EXPECT_TRUE(run.err.starts_with("ttycall: ")) << "stderr: " << run.err;
    EXPECT_EQ(count_occurrences(run.err, "\n"), 1u) << "stderr: " << run.err;
    EXPECT_NE(run.err.find(c.says), std::string::npos) << "stderr: " << run.err;
  }
}

}  // namespace
}  // namespace ttycall::itest
