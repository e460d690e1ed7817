#pragma once
// A file or URL playing in real time (`--video file:PATH`, `--video URL`, `--audio
// file:PATH`): a decoder thread reads it through media::AvDecoder, paces the pictures by
// their timestamps against the monotonic clock and keeps the latest one in preallocated
// memory (two buffers swapped under a mutex); its sound goes into a sample ring that the
// voice drains (AudioFeed). The call's io thread only scales the latest picture, so a slow
// network stream never stalls the call. Nothing is allocated per frame by ttycall.
#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "client/audio_feed.h"
#include "client/sample_ring.h"
#include "client/video_source.h"
#include "core/status.h"
#include "media/av_decoder.h"
#include "media/image.h"

namespace ttycall::client {

struct MediaPlayerOptions {
  bool video = true;   // the file must have a picture
  bool audio = false;  // play its sound too, if it has any
  bool loop = false;   // start again at the end
};

class MediaPlayer final : public AudioFeed {
 public:
  // Opens `url`, decodes its first picture (so errors show at once, and a snapshot has
  // something to draw) and starts playing. A failure says in one line what failed and how
  // to fix it.
  static core::Result<std::shared_ptr<MediaPlayer>> open(const std::string& url,
                                                         const MediaPlayerOptions& options);

  MediaPlayer(std::unique_ptr<media::AvDecoder> decoder, const MediaPlayerOptions& options);
  ~MediaPlayer() override;
  MediaPlayer(const MediaPlayer&) = delete;
  MediaPlayer& operator=(const MediaPlayer&) = delete;

  bool has_video() const { return decoder_->has_video(); }
  bool has_audio() const { return decoder_->has_audio(); }
  // Scales the latest picture into `out` ("cover"); black before the first one.
  void draw(media::MutableImageView out);
  // How many pictures have been shown so far (the first one included).
  uint64_t pictures() const { return pictures_.load(); }

  size_t read(std::span<float> out) override;
  bool ended() const override;

 private:
  core::Status prime(const std::string& url);  // decodes up to the first picture (or sound)
  void run();
  void publish();  // the back picture becomes the front one
  media::MutableImageView back_view() {
    return {back_.data(), decoder_->width(), decoder_->height(), decoder_->width() * 3};
  }

  std::unique_ptr<media::AvDecoder> decoder_;
  MediaPlayerOptions options_;
  std::vector<uint8_t> front_;  // guarded by picture_mutex_
  std::vector<uint8_t> back_;   // the decoder thread's own
  std::mutex picture_mutex_;
  std::atomic<uint64_t> pictures_{0};
  SampleRing sound_;
  std::atomic<bool> decoder_done_{false};

  std::mutex wake_mutex_;
  std::condition_variable wake_;
  bool stopping_ = false;  // guarded by wake_mutex_
  std::thread thread_;
};

// The picture of a MediaPlayer as a camera.
class MediaVideoSource final : public VideoSource {
 public:
  explicit MediaVideoSource(std::shared_ptr<MediaPlayer> player) : player_(std::move(player)) {}
  void capture(media::MutableImageView out, uint64_t, double) override { player_->draw(out); }

 private:
  std::shared_ptr<MediaPlayer> player_;
};

}  // namespace ttycall::client
