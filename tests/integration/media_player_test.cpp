// client::MediaPlayer on small files made at test time: every picture of a file is shown
// once and in order (none skipped), the sound comes out as 48 kHz samples, a looped file
// starts again, and the picture drawn is the file's. Counting assertions, bounded waits.
#include "client/media_player.h"

#include <gtest/gtest.h>

#include <chrono>
#include <vector>

#include "media/audio/audio_format.h"
#include "media/audio/tone.h"
#include "media_writer.h"
#include "temp_dir.h"
#include "wait_until.h"

namespace ttycall::itest {
namespace {

using namespace std::chrono_literals;
namespace audio = media::audio;

// A 1 s clip of 10 pictures with a 440 Hz tone.
std::string make_clip(const TempDir& dir, const char* name) {
  const std::string path = dir.file(name);
  TestMedia media;
  media.fps = 10;
  media.seconds = 1;
  const std::string error = write_test_media(path, media);
  EXPECT_EQ(error, "");
  return path;
}

TEST(MediaPlayer, ShowsEveryPictureOnceThenEndsAndItsSoundIsTheTone) {
  TempDir dir;
  const std::string clip = make_clip(dir, "clip.mkv");
  core::Result<std::shared_ptr<client::MediaPlayer>> opened =
      client::MediaPlayer::open(clip, {.video = true, .audio = true, .loop = false});
  ASSERT_TRUE(opened.is_ok()) << opened.status().message();
  client::MediaPlayer& player = **opened;
  EXPECT_TRUE(player.has_video());
  EXPECT_TRUE(player.has_audio());

  // Take the sound as the voice does, a 20 ms frame every 20 ms, until the file has ended
  // and its last picture has had its time.
  std::vector<float> sound;
  std::vector<float> frame(audio::kFrameSamples);
  const bool ended = wait_until(
      [&] {
        const size_t n = player.read(frame);
        sound.insert(sound.end(), frame.begin(), frame.begin() + long(n));
        return player.ended() && player.pictures() >= 10;
      },
      10s, 20ms);
  ASSERT_TRUE(ended) << "the 1 s clip did not end within 10 s; pictures " << player.pictures();
  EXPECT_EQ(player.pictures(), 10u) << "each of the 10 pictures is shown once";
  ASSERT_GT(sound.size(), size_t(audio::kSampleRate / 2));
  EXPECT_GT(audio::goertzel_amplitude(sound, 440), 0.15f);

  // The last picture stays: red on the left, blue on the right.
  std::vector<uint8_t> rgb(64 * 32 * 3);
  player.draw({rgb.data(), 64, 32, 64 * 3});
  EXPECT_GT(rgb[(16 * 64 + 4) * 3 + 0], 200);
  EXPECT_GT(rgb[(16 * 64 + 60) * 3 + 2], 200);
}

TEST(MediaPlayer, LoopedFileStartsAgain) {
  TempDir dir;
  const std::string clip = make_clip(dir, "clip.avi");
  core::Result<std::shared_ptr<client::MediaPlayer>> opened =
      client::MediaPlayer::open(clip, {.video = true, .audio = false, .loop = true});
  ASSERT_TRUE(opened.is_ok()) << opened.status().message();
  const client::MediaPlayer& player = **opened;
  EXPECT_TRUE(wait_until([&] { return player.pictures() > 25; }, 15s))
      << "only " << player.pictures() << " pictures of a looped 10-picture clip";
  EXPECT_FALSE(player.ended());
}

}  // namespace
}  // namespace ttycall::itest
