#pragma once
// The camera's way up to the server: captures frames at the size and rate the server asks
// for (VideoRequest), encodes each as JPEG straight into a pooled VideoUp packet and
// offers it to the connection. When the network has not taken the last frame yet, the
// next capture is skipped: a slow uplink sends fewer frames, never older ones.
#include <asio.hpp>
#include <cstdint>
#include <memory>
#include <vector>

#include "client/encoded_frames.h"
#include "client/video_source.h"
#include "core/buffer_pool.h"
#include "core/clock.h"
#include "media/jpeg_codec.h"
#include "net/connection.h"
#include "net/protocol.h"

namespace ttycall::client {

// The most the client captures and encodes, whatever the server asks: a hostile or broken
// server must not make it capture 1080p at 120 fps.
struct CameraLimits {
  int max_width = 640;
  int max_height = 480;
  int max_fps = 30;
};

// `request` within `limits`: the size scaled down keeping its shape, the rate clamped.
net::VideoRequest capped_request(const net::VideoRequest& request, const CameraLimits& limits);

class CameraUplink {
 public:
  CameraUplink(asio::io_context& io, net::Connection& connection, CameraLimits limits = {});
  CameraUplink(const CameraUplink&) = delete;
  CameraUplink& operator=(const CameraUplink&) = delete;

  // What to capture from; without one (`none`), requests are kept but nothing is sent.
  void set_source(std::unique_ptr<VideoSource> source) { source_ = std::move(source); }
  bool has_source() const { return source_ != nullptr; }
  // Frames already encoded, sent in place of capturing and encoding (the load generator's
  // shared set), from frame `phase` on.
  void set_encoded_frames(std::shared_ptr<EncodedFrames> frames, uint64_t phase) {
    encoded_ = std::move(frames);
    phase_ = phase;
  }
  // The server's latest request, within the limits; 0 x 0 stops the camera until the next
  // one.
  void on_request(const net::VideoRequest& request);
  const net::VideoRequest& request() const { return request_; }
  // Switched off by the participant (the v key): frames stop, the request is kept.
  void set_camera_off(bool off) { camera_off_ = off; }
  // The connection is gone: no request any more.
  void stop();

 private:
  void schedule();
  void capture_and_send();
  // The frame's JPEG into `out`: its size, or 0 when there is none.
  size_t make_jpeg(int width, int height, std::span<uint8_t> out);

  std::unique_ptr<VideoSource> source_;
  std::shared_ptr<EncodedFrames> encoded_;
  uint64_t phase_ = 0;
  net::Connection& connection_;
  CameraLimits limits_;
  asio::steady_timer timer_;
  media::JpegEncoder jpeg_;
  // Packets on their way out: one waiting, one being sealed or written.
  core::BufferPool packets_;
  std::vector<uint8_t> pixels_;
  net::VideoRequest request_{};
  bool camera_off_ = false;
  uint32_t seq_ = 0;
  uint64_t generation_ = 0;  // bumped by stop(): a wait already queued then does nothing
  core::SteadyClock::time_point started_{};
  core::SteadyClock::time_point next_{};
};

}  // namespace ttycall::client
