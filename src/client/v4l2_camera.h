#pragma once
// A real webcam through V4L2 (libv4l2): `--video v4l2:/dev/videoN`, or `--video device` for
// the first camera. open() negotiates a format the camera offers natively (MJPEG, else
// YUYV, else RGB24 that libv4l2 converts to) at the size nearest the one asked for, maps
// the driver's buffers (mmap streaming) and waits, bounded, for the first picture, so a
// missing, busy or dead camera is an error at once. A capture thread converts each picture
// (media/pixel_convert.h) into preallocated memory; capture() scales the latest one.
#include <atomic>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "client/video_source.h"
#include "core/status.h"
#include "media/jpeg_codec.h"

namespace ttycall::client {

class V4l2Camera final : public VideoSource {
 public:
  // `path` is /dev/videoN, or "device" for the first camera that can capture. A failure
  // says in one line what failed and how to fix it.
  static core::Result<std::unique_ptr<V4l2Camera>> open(const std::string& path,
                                                        int want_width = 640,
                                                        int want_height = 480);
  V4l2Camera();  // closed: use open()
  ~V4l2Camera() override;
  V4l2Camera(const V4l2Camera&) = delete;
  V4l2Camera& operator=(const V4l2Camera&) = delete;

  void capture(media::MutableImageView out, uint64_t frame, double seconds) override;

  int width() const { return width_; }
  int height() const { return height_; }
  uint32_t pixel_format() const { return pixel_format_; }

 private:
  struct Mapped {
    void* start = nullptr;
    size_t length = 0;
  };
  // open() for one node, then its steps in order; `cam` is how their messages name the
  // camera.
  core::Status open_device(const std::string& path, int want_width, int want_height);
  core::Status open_capture_node(const std::string& path, const std::string& cam);
  core::Status set_format(const std::string& cam, int want_width, int want_height);
  core::Status map_buffers(const std::string& cam);
  core::Status start_streaming(const std::string& cam);
  core::Status wait_for_first_picture(const std::string& cam);
  // Waits (bounded) for a picture, converts it into back_ and requeues the buffer.
  // Returns 1 for a picture, 0 for none yet, -1 when the camera failed.
  int grab(int timeout_ms);
  void run();

  int fd_ = -1;
  std::string path_;
  int width_ = 0, height_ = 0, stride_ = 0;
  uint32_t pixel_format_ = 0;
  std::vector<Mapped> buffers_;
  bool streaming_ = false;
  media::JpegDecoder jpeg_;
  std::vector<uint8_t> front_;  // guarded by mutex_
  std::vector<uint8_t> back_;   // the capture thread's own
  std::mutex mutex_;
  std::atomic<bool> stopping_{false};
  std::atomic<bool> failed_{false};
  std::thread thread_;
};

// "/dev/video0", ... that exist, in numeric order.
std::vector<std::string> camera_paths();

}  // namespace ttycall::client
