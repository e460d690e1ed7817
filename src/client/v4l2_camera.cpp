#include "client/v4l2_camera.h"

#include <fcntl.h>
#include <libv4l2.h>
#include <linux/videodev2.h>
#include <poll.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <filesystem>

#include "core/alloc_accounting.h"
#include "media/pixel_convert.h"
#include "media/scale.h"

namespace ttycall::client {
namespace {

constexpr int kBufferCount = 4;
constexpr int kFirstPictureTimeoutMs = 3000;  // a camera that sends nothing is an error
constexpr int kPollMs = 200;                  // how often the capture thread checks for stop

int xioctl(int fd, unsigned long request, void* arg) {
  int rc;
  do {
    rc = v4l2_ioctl(fd, request, arg);
  } while (rc == -1 && errno == EINTR);
  return rc;
}

std::string fourcc_text(uint32_t f) {
  const char text[] = {char(f & 0xff), char((f >> 8) & 0xff), char((f >> 16) & 0xff),
                       char((f >> 24) & 0xff)};
  return std::string(text, 4);
}

// The camera's frame size nearest `want` for `format` (by area, a larger one preferred).
void nearest_size(int fd, uint32_t format, int& width, int& height) {
  v4l2_frmsizeenum size{};
  size.pixel_format = format;
  long best_score = -1;
  const long want_area = long(width) * height;
  int best_w = width, best_h = height;
  for (size.index = 0; xioctl(fd, VIDIOC_ENUM_FRAMESIZES, &size) == 0; ++size.index) {
    if (size.type != V4L2_FRMSIZE_TYPE_DISCRETE) {
      // Stepwise or continuous: the driver adjusts what S_FMT asks for.
      best_w = std::clamp(width, int(size.stepwise.min_width), int(size.stepwise.max_width));
      best_h = std::clamp(height, int(size.stepwise.min_height), int(size.stepwise.max_height));
      break;
    }
    const long area = long(size.discrete.width) * size.discrete.height;
    // Smaller than wanted costs twice as much as larger (detail lost vs. decoding work).
    const long score = area >= want_area ? area - want_area : 2 * (want_area - area);
    if (best_score < 0 || score < best_score) {
      best_score = score;
      best_w = int(size.discrete.width);
      best_h = int(size.discrete.height);
    }
  }
  width = best_w;
  height = best_h;
}

core::Status busy(const std::string& cam) {
  return core::Status::failed(cam + " is busy (close the other program using it)");
}

// Why a plain open() of the node failed, with what to do about it.
core::Status open_failure(int err, const std::string& cam) {
  if (err == ENOENT) {
    return core::Status::failed("no " + cam + " (see `ttycall devices` for the cameras there are)");
  }
  if (err == EACCES) {
    return core::Status::failed("not allowed to open " + cam +
                                " (add yourself to the 'video' group, then log in again)");
  }
  if (err == EBUSY) return busy(cam);
  return core::Status::failed("cannot open " + cam + ": " + std::strerror(err));
}

// Ok when `fd` (plainly opened) is a node that can stream video captures.
core::Status check_capture_node(int fd, const std::string& path, const std::string& cam) {
  v4l2_capability caps{};
  int rc;
  do {
    rc = ::ioctl(fd, VIDIOC_QUERYCAP, &caps);
  } while (rc == -1 && errno == EINTR);
  if (rc != 0) {
    return core::Status::failed(path + " is not a V4L2 camera (" + std::strerror(errno) + ")");
  }
  const uint32_t device_caps =
      (caps.capabilities & V4L2_CAP_DEVICE_CAPS) ? caps.device_caps : caps.capabilities;
  if (!(device_caps & V4L2_CAP_VIDEO_CAPTURE)) {
    return core::Status::failed(
        path + " cannot capture video (a metadata or output node? try another /dev/videoN)");
  }
  if (!(device_caps & V4L2_CAP_STREAMING)) {
    return core::Status::failed(cam + " does not support streaming");
  }
  return core::Status::ok();
}

// The camera's own formats (not libv4l2's emulated ones): MJPEG, else YUYV, else RGB24
// converted by libv4l2 from whatever the camera has.
uint32_t native_format(int fd) {
  bool mjpeg = false, yuyv = false;
  v4l2_fmtdesc desc{};
  desc.type = V4L2_BUF_TYPE_VIDEO_CAPTURE;
  for (desc.index = 0; xioctl(fd, VIDIOC_ENUM_FMT, &desc) == 0; ++desc.index) {
    if (desc.flags & V4L2_FMT_FLAG_EMULATED) continue;
    mjpeg |= desc.pixelformat == V4L2_PIX_FMT_MJPEG || desc.pixelformat == V4L2_PIX_FMT_JPEG;
    yuyv |= desc.pixelformat == V4L2_PIX_FMT_YUYV;
  }
  return mjpeg ? V4L2_PIX_FMT_MJPEG : yuyv ? V4L2_PIX_FMT_YUYV : V4L2_PIX_FMT_RGB24;
}

// 30 fps if the camera lets us choose; not an error if not.
void ask_for_30_fps(int fd) {
  v4l2_streamparm parm{};
  parm.type = V4L2_BUF_TYPE_VIDEO_CAPTURE;
  parm.parm.capture.timeperframe = {1, 30};
  xioctl(fd, VIDIOC_S_PARM, &parm);
}

}  // namespace

std::vector<std::string> camera_paths() {
  std::vector<std::pair<int, std::string>> found;
  std::error_code ec;
  for (const auto& entry : std::filesystem::directory_iterator("/dev", ec)) {
    const std::string name = entry.path().filename().string();
    if (name.starts_with("video") && name.size() > 5 &&
        std::all_of(name.begin() + 5, name.end(), [](char c) { return c >= '0' && c <= '9'; })) {
      found.emplace_back(std::atoi(name.c_str() + 5), entry.path().string());
    }
  }
  std::sort(found.begin(), found.end());
  std::vector<std::string> paths;
  for (auto& [n, path] : found) paths.push_back(std::move(path));
  return paths;
}

V4l2Camera::V4l2Camera() = default;

V4l2Camera::~V4l2Camera() {
  stopping_.store(true);
  if (thread_.joinable()) thread_.join();
  if (streaming_) {
    v4l2_buf_type type = V4L2_BUF_TYPE_VIDEO_CAPTURE;
    xioctl(fd_, VIDIOC_STREAMOFF, &type);
  }
  for (const Mapped& b : buffers_) {
    if (b.start) v4l2_munmap(b.start, b.length);
  }
  if (fd_ >= 0) v4l2_close(fd_);
}

core::Result<std::unique_ptr<V4l2Camera>> V4l2Camera::open(const std::string& path, int want_width,
                                                           int want_height) {
  static const core::AllocSite site("client.camera");
  core::ScopedAllocSite attributed(site);
  if (path == "device") {
    const std::vector<std::string> paths = camera_paths();
    if (paths.empty()) {
      return core::Status::failed(
          "no camera found (no /dev/video*); plug one in, or use --video file:PATH or --video "
          "test:moving");
    }
    core::Status first_failure;
    for (const std::string& p : paths) {
      core::Result<std::unique_ptr<V4l2Camera>> tried = open(p, want_width, want_height);
      if (tried.is_ok()) return tried;
      if (first_failure.is_ok()) first_failure = tried.status();
    }
    return first_failure;
  }
  auto camera = std::make_unique<V4l2Camera>();
  if (core::Status opened = camera->open_device(path, want_width, want_height); !opened.is_ok()) {
    return opened;
  }
  camera->thread_ = std::thread([c = camera.get()] { c->run(); });
  return camera;
}

core::Status V4l2Camera::open_device(const std::string& path, int want_width, int want_height) {
  path_ = path;
  const std::string cam = "camera " + path;
  if (core::Status s = open_capture_node(path, cam); !s.is_ok()) return s;
  if (core::Status s = set_format(cam, want_width, want_height); !s.is_ok()) return s;
  ask_for_30_fps(fd_);
  if (core::Status s = map_buffers(cam); !s.is_ok()) return s;
  if (core::Status s = start_streaming(cam); !s.is_ok()) return s;
  return wait_for_first_picture(cam);
}

core::Status V4l2Camera::open_capture_node(const std::string& path, const std::string& cam) {
  // Plain open and QUERYCAP first: libv4l2 would print its own complaints about a node
  // that is not a camera. Only a capture device is handed to it.
  const int fd = ::open(path.c_str(), O_RDWR | O_NONBLOCK | O_CLOEXEC);
  if (fd < 0) return open_failure(errno, cam);
  if (core::Status s = check_capture_node(fd, path, cam); !s.is_ok()) {
    ::close(fd);
    return s;
  }
  fd_ = v4l2_fd_open(fd, 0);
  if (fd_ < 0) {
    ::close(fd);
    return core::Status::failed("cannot open " + cam + " through libv4l2");
  }
  return core::Status::ok();
}

core::Status V4l2Camera::set_format(const std::string& cam, int want_width, int want_height) {
  const uint32_t wanted_format = native_format(fd_);
  int w = want_width, h = want_height;
  nearest_size(fd_, wanted_format, w, h);
  v4l2_format format{};
  format.type = V4L2_BUF_TYPE_VIDEO_CAPTURE;
  format.fmt.pix.width = uint32_t(w);
  format.fmt.pix.height = uint32_t(h);
  format.fmt.pix.pixelformat = wanted_format;
  format.fmt.pix.field = V4L2_FIELD_NONE;
  if (xioctl(fd_, VIDIOC_S_FMT, &format) != 0) {
    if (errno == EBUSY) return busy(cam);
    return core::Status::failed("cannot set the format of " + cam + ": " + std::strerror(errno));
  }
  pixel_format_ = format.fmt.pix.pixelformat;
  if (pixel_format_ == V4L2_PIX_FMT_JPEG) pixel_format_ = V4L2_PIX_FMT_MJPEG;
  if (pixel_format_ != V4L2_PIX_FMT_MJPEG && pixel_format_ != V4L2_PIX_FMT_YUYV &&
      pixel_format_ != V4L2_PIX_FMT_RGB24) {
    return core::Status::failed(cam + " offers no format ttycall reads (it gave " +
                                fourcc_text(pixel_format_) + ")");
  }
  width_ = int(format.fmt.pix.width);
  height_ = int(format.fmt.pix.height);
  if (width_ <= 0 || height_ <= 0) return core::Status::failed(cam + " reports no picture size");
  stride_ = int(format.fmt.pix.bytesperline);
  if (stride_ == 0) stride_ = pixel_format_ == V4L2_PIX_FMT_YUYV ? width_ * 2 : width_ * 3;
  return core::Status::ok();
}

core::Status V4l2Camera::map_buffers(const std::string& cam) {
  v4l2_requestbuffers request{};
  request.count = kBufferCount;
  request.type = V4L2_BUF_TYPE_VIDEO_CAPTURE;
  request.memory = V4L2_MEMORY_MMAP;
  if (xioctl(fd_, VIDIOC_REQBUFS, &request) != 0 || request.count < 2) {
    if (errno == EBUSY) return busy(cam);
    return core::Status::failed(cam + ": cannot get capture buffers (" + std::strerror(errno) +
                                ")");
  }
  buffers_.resize(request.count);
  for (uint32_t i = 0; i < request.count; ++i) {
    v4l2_buffer buf{};
    buf.type = V4L2_BUF_TYPE_VIDEO_CAPTURE;
    buf.memory = V4L2_MEMORY_MMAP;
    buf.index = i;
    if (xioctl(fd_, VIDIOC_QUERYBUF, &buf) != 0) {
      return core::Status::failed(cam + ": cannot query a capture buffer (" + std::strerror(errno) +
                                  ")");
    }
    void* start =
        v4l2_mmap(nullptr, buf.length, PROT_READ | PROT_WRITE, MAP_SHARED, fd_, buf.m.offset);
    if (start == MAP_FAILED) return core::Status::failed(cam + ": cannot map a capture buffer");
    buffers_[i] = {start, buf.length};
    if (xioctl(fd_, VIDIOC_QBUF, &buf) != 0) {
      return core::Status::failed(cam + ": cannot queue a capture buffer (" + std::strerror(errno) +
                                  ")");
    }
  }
  return core::Status::ok();
}

core::Status V4l2Camera::start_streaming(const std::string& cam) {
  v4l2_buf_type type = V4L2_BUF_TYPE_VIDEO_CAPTURE;
  if (xioctl(fd_, VIDIOC_STREAMON, &type) != 0) {
    if (errno == EBUSY) return busy(cam);
    return core::Status::failed("cannot start " + cam + ": " + std::strerror(errno));
  }
  streaming_ = true;
  return core::Status::ok();
}

core::Status V4l2Camera::wait_for_first_picture(const std::string& cam) {
  const size_t bytes = size_t(width_) * height_ * 3;
  front_.assign(bytes, 0);
  back_.assign(bytes, 0);
  // Bounded: a camera that is there but sends nothing is an error.
  for (int waited = 0; waited < kFirstPictureTimeoutMs; waited += kPollMs) {
    const int got = grab(kPollMs);
    if (got < 0) return core::Status::failed(cam + " stopped sending pictures (unplugged?)");
    if (got > 0) {
      front_.swap(back_);
      return core::Status::ok();
    }
  }
  return core::Status::failed(cam + " sent no picture in " +
                              std::to_string(kFirstPictureTimeoutMs / 1000) +
                              " s (is it covered by another program, or broken?)");
}

int V4l2Camera::grab(int timeout_ms) {
  pollfd pfd{fd_, POLLIN, 0};
  const int ready = ::poll(&pfd, 1, timeout_ms);
  if (ready < 0) return errno == EINTR ? 0 : -1;
  if (ready == 0) return 0;
  if (pfd.revents & (POLLERR | POLLHUP | POLLNVAL)) return -1;
  v4l2_buffer buf{};
  buf.type = V4L2_BUF_TYPE_VIDEO_CAPTURE;
  buf.memory = V4L2_MEMORY_MMAP;
  if (xioctl(fd_, VIDIOC_DQBUF, &buf) != 0) return errno == EAGAIN ? 0 : -1;
  bool converted = false;
  if (buf.index < buffers_.size() && !(buf.flags & V4L2_BUF_FLAG_ERROR)) {
    const auto* data = static_cast<const uint8_t*>(buffers_[buf.index].start);
    const size_t used = std::min<size_t>(buf.bytesused, buffers_[buf.index].length);
    const media::MutableImageView out{back_.data(), width_, height_, width_ * 3};
    if (pixel_format_ == V4L2_PIX_FMT_MJPEG) {
      converted = media::mjpeg_to_rgb(jpeg_, {data, used}, out);  // a damaged one is skipped
    } else if (used >= size_t(stride_) * height_) {
      if (pixel_format_ == V4L2_PIX_FMT_YUYV) {
        media::yuyv_to_rgb(data, stride_, out);
      } else {
        for (int y = 0; y < height_; ++y) {
          std::memcpy(out.rgb + long(y) * out.stride, data + long(y) * stride_, size_t(width_) * 3);
        }
      }
      converted = true;
    }
  }
  if (xioctl(fd_, VIDIOC_QBUF, &buf) != 0) return -1;
  return converted ? 1 : 0;
}

void V4l2Camera::run() {
  while (!stopping_.load()) {
    const int got = grab(kPollMs);
    if (got < 0) {
      failed_.store(true);  // the last picture stays on screen
      return;
    }
    if (got > 0) {
      std::lock_guard lock(mutex_);
      front_.swap(back_);
    }
  }
}

void V4l2Camera::capture(media::MutableImageView out, uint64_t, double) {
  std::lock_guard lock(mutex_);
  media::scale_cover({front_.data(), width_, height_, width_ * 3}, out);
}

}  // namespace ttycall::client
