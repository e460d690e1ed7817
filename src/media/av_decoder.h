#pragma once
// Files and URLs through FFmpeg (libavformat, libavcodec, libswscale, libswresample): one
// demuxer with a video and/or an audio decoder, stepped by the caller (no threads here).
// Video frames come out as RGB24 at a size bounded by the options (the cover scaler does
// the rest); audio frames as 48 kHz mono float. The AVPacket, AVFrames, SwsContext and
// SwrContext are made once and reused; FFmpeg's own buffers aside, stepping does not
// allocate (the audio buffer grows only when a larger frame first appears).
#include <atomic>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "core/status.h"
#include "media/image.h"

namespace ttycall::media {

struct AvDecoderOptions {
  bool video = true;    // decode the best video stream (an error if there is none)
  bool audio = false;   // decode the best audio stream, if there is one
  int max_width = 640;  // video frames are scaled down to fit, keeping the aspect
  int max_height = 480;
  double network_timeout_s = 10;  // opening or reading that stalls longer is an error
};

class AvDecoder {
 public:
  // `url` is a path or anything FFmpeg opens (http(s)://, rtsp://, ...). A failure says in
  // one line what failed and why.
  static core::Result<std::unique_ptr<AvDecoder>> open(const std::string& url,
                                                       const AvDecoderOptions& options);
  ~AvDecoder();
  AvDecoder(const AvDecoder&) = delete;
  AvDecoder& operator=(const AvDecoder&) = delete;

  bool has_video() const { return video_index_ >= 0; }
  bool has_audio() const { return audio_index_ >= 0; }
  // The size of the RGB frames video_rgb() writes.
  int width() const { return out_width_; }
  int height() const { return out_height_; }

  enum class Step { kVideo, kAudio, kEnd, kError };
  // Reads and decodes until a frame is ready (or the input ended or failed). Per frame, so
  // a Step, not a Status: failure() says why it last was kError.
  Step next();
  // Of the frame next() returned: seconds since the stream's start, and how long it lasts.
  double pts_seconds() const { return pts_; }
  double duration_seconds() const { return duration_; }
  // After kVideo: the frame as RGB24 into `out` (width() x height()).
  void video_rgb(MutableImageView out);
  // After kAudio: the frame's samples, valid until the next call of next().
  std::span<const float> audio_samples() const { return {audio_.data(), audio_count_}; }
  // Back to the start (for --loop); false when the input cannot seek (a live stream).
  bool rewind();
  // Makes a blocking read return at once (from another thread, when stopping).
  void interrupt() { interrupted_.store(true); }
  const core::Status& failure() const { return failure_; }

  struct Impl;

 private:
  AvDecoder();
  core::Status open_codec(int index, bool video);
  Step receive(bool video);

  std::unique_ptr<Impl> impl_;
  int video_index_ = -1;
  int audio_index_ = -1;
  int out_width_ = 0;
  int out_height_ = 0;
  double pts_ = 0;
  double duration_ = 0;
  bool flushed_ = false;
  bool video_drained_ = false;
  bool audio_drained_ = false;
  int bad_packets_ = 0;
  std::vector<float> audio_;
  size_t audio_count_ = 0;
  core::Status failure_;
  std::atomic<bool> interrupted_{false};
  std::atomic<int64_t> deadline_ns_{0};  // a blocking FFmpeg call past this is interrupted
  double network_timeout_s_ = 10;

  static int on_interrupt(void* self);
};

}  // namespace ttycall::media
