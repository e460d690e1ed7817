#include "client/media_player.h"

#include <algorithm>
#include <chrono>

#include "core/alloc_accounting.h"
#include "core/clock.h"
#include "media/audio/audio_format.h"
#include "media/scale.h"

namespace ttycall::client {
namespace {

namespace audio = media::audio;
using Step = media::AvDecoder::Step;

constexpr size_t kSoundRing = audio::kSampleRate;           // 1 s
constexpr size_t kSoundLead = audio::kSampleRate * 3 / 10;  // decoded ahead of the voice
constexpr size_t kSoundBacklog = audio::kSampleRate / 2;    // more waiting than this is stale
constexpr auto kIdleWait = std::chrono::milliseconds(10);   // how often sound is topped up
constexpr double kResyncSeconds = 1.0;  // a picture this late restarts the clock from it

}  // namespace

core::Result<std::shared_ptr<MediaPlayer>> MediaPlayer::open(const std::string& url,
                                                             const MediaPlayerOptions& options) {
  static const core::AllocSite site("client.media_player");
  core::ScopedAllocSite attributed(site);
  media::AvDecoderOptions decoder_options;
  decoder_options.video = options.video;
  decoder_options.audio = options.audio;
  core::Result<std::unique_ptr<media::AvDecoder>> decoder =
      media::AvDecoder::open(url, decoder_options);
  if (!decoder.is_ok()) return decoder.status();
  auto player = std::make_shared<MediaPlayer>(std::move(*decoder), options);
  if (core::Status primed = player->prime(url); !primed.is_ok()) return primed;
  player->thread_ = std::thread([p = player.get()] { p->run(); });
  return player;
}

MediaPlayer::MediaPlayer(std::unique_ptr<media::AvDecoder> decoder,
                         const MediaPlayerOptions& options)
    : decoder_(std::move(decoder)), options_(options), sound_(kSoundRing) {
  const size_t bytes = size_t(decoder_->width()) * decoder_->height() * 3;
  front_.assign(bytes, 0);
  back_.assign(bytes, 0);
}

MediaPlayer::~MediaPlayer() {
  {
    std::lock_guard lock(wake_mutex_);
    stopping_ = true;
  }
  decoder_->interrupt();
  wake_.notify_all();
  if (thread_.joinable()) thread_.join();
}

core::Status MediaPlayer::prime(const std::string& url) {
  for (;;) {
    switch (decoder_->next()) {
      case Step::kVideo:
        decoder_->video_rgb(back_view());
        publish();
        return core::Status::ok();
      case Step::kAudio:
        sound_.push(decoder_->audio_samples());
        if (!decoder_->has_video()) return core::Status::ok();
        break;
      case Step::kEnd:
        return core::Status::invalid_input("cannot decode " + url + ": " +
                                           (decoder_->has_video()
                                                ? "it has no picture that could be decoded"
                                                : "it has no sound that could be decoded"));
      case Step::kError:
        return core::Status::failed("cannot decode " + url + ": " + decoder_->failure().message());
    }
  }
}

void MediaPlayer::publish() {
  {
    std::lock_guard lock(picture_mutex_);
    front_.swap(back_);
  }
  pictures_.fetch_add(1);
}

void MediaPlayer::draw(media::MutableImageView out) {
  std::lock_guard lock(picture_mutex_);
  const media::ImageView picture{front_.data(), decoder_->width(), decoder_->height(),
                                 decoder_->width() * 3};
  media::scale_cover(picture, out);
}

size_t MediaPlayer::read(std::span<float> out) {
  // Sound nobody took for a while (before the call connected) is dropped, so the voice
  // stays with the picture.
  float discard[audio::kFrameSamples];
  while (sound_.available() > kSoundBacklog) {
    sound_.pop({discard, std::min<size_t>(sound_.available() - kSoundBacklog, std::size(discard))});
  }
  return sound_.pop(out);
}

bool MediaPlayer::ended() const {
  return decoder_done_.load() && sound_.available() == 0;
}

void MediaPlayer::run() {
  using Clock = core::SteadyClock;
  // Picture time t is due at start + (t - base); the first picture is already shown.
  Clock::time_point start = Clock::now();
  double base = decoder_->pts_seconds();
  double last_pts = base, last_duration = 0.04;
  bool pending = false;  // a decoded picture in back_ waits for its time
  double pending_pts = 0;
  bool ended = false;
  const auto due = [&](double pts) { return start + core::to_duration(std::max(0.0, pts - base)); };
  // Sleeps until `until` (or stop); returns false when stopping.
  const auto sleep_until = [&](Clock::time_point until) {
    std::unique_lock lock(wake_mutex_);
    wake_.wait_until(lock, until, [&] { return stopping_; });
    return !stopping_;
  };
  const auto stopping = [&] {
    std::lock_guard lock(wake_mutex_);
    return stopping_;
  };

  while (!stopping()) {
    if (pending && Clock::now() >= due(pending_pts)) {
      publish();
      pending = false;
    }
    // Read on when the next picture is not decoded yet, or the sound runs low. (A file
    // without a picture is paced by the voice taking its sound alone.)
    const bool want_picture = decoder_->has_video() && !pending;
    const bool want_sound = decoder_->has_audio() && sound_.available() < kSoundLead;
    if (!ended && (want_picture || want_sound)) {
      switch (decoder_->next()) {
        case Step::kVideo: {
          if (pending) publish();  // sound was needed first: this picture goes a little early
          decoder_->video_rgb(back_view());
          pending = true;
          pending_pts = last_pts = decoder_->pts_seconds();
          if (decoder_->duration_seconds() > 0) last_duration = decoder_->duration_seconds();
          const Clock::time_point now = Clock::now();
          if (now - due(pending_pts) > core::to_duration(kResyncSeconds)) {
            start = now;  // decoding fell far behind (or the stream jumped): catch up
            base = pending_pts;
          }
          break;
        }
        case Step::kAudio:
          sound_.push(decoder_->audio_samples());
          break;
        case Step::kEnd:
        case Step::kError:
          if (options_.loop && decoder_->has_video()) {
            // The last picture keeps its time on screen before the first comes back.
            if (pending && !sleep_until(due(pending_pts))) return;
            if (pending) publish();
            pending = false;
            if (!sleep_until(due(last_pts + std::max(last_duration, 0.01)))) return;
          }
          if (options_.loop && decoder_->rewind()) {
            start = Clock::now();
            base = 0;
          } else {
            ended = true;
            decoder_done_.store(true);
          }
          break;
      }
      continue;
    }
    if (ended && !pending) {  // nothing more to do but wait to be stopped
      std::unique_lock lock(wake_mutex_);
      wake_.wait(lock, [&] { return stopping_; });
      return;
    }
    const Clock::time_point wake = Clock::now() + kIdleWait;
    if (!sleep_until(pending ? std::min(wake, due(pending_pts)) : wake)) return;
  }
}

}  // namespace ttycall::client
