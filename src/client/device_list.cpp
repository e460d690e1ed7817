#include "client/device_list.h"

#include <fcntl.h>
#include <fmt/format.h>
#include <linux/videodev2.h>
#include <portaudio.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "client/v4l2_camera.h"

namespace ttycall::client {
namespace {

std::string fourcc(uint32_t f) {
  const char text[] = {char(f & 0xff), char((f >> 8) & 0xff), char((f >> 16) & 0xff),
                       char((f >> 24) & 0xff)};
  return std::string(text, 4);
}

std::string sizes_of(int fd, uint32_t format) {
  std::string text;
  v4l2_frmsizeenum size{};
  size.pixel_format = format;
  for (size.index = 0; ::ioctl(fd, VIDIOC_ENUM_FRAMESIZES, &size) == 0; ++size.index) {
    if (size.type == V4L2_FRMSIZE_TYPE_DISCRETE) {
      text += fmt::format("{}{}x{}", text.empty() ? "" : " ", size.discrete.width,
                          size.discrete.height);
    } else {
      return fmt::format("{}x{} to {}x{}", size.stepwise.min_width, size.stepwise.min_height,
                         size.stepwise.max_width, size.stepwise.max_height);
    }
  }
  return text;
}

std::string describe_cameras() {
  std::string text = "Cameras (--video v4l2:PATH, or --video device for the first):\n";
  const std::vector<std::string> paths = camera_paths();
  if (paths.empty()) return text + "  none found (no /dev/video*)\n";
  for (const std::string& path : paths) {
    const int fd = ::open(path.c_str(), O_RDWR | O_NONBLOCK | O_CLOEXEC);
    if (fd < 0) {
      text += fmt::format("  {}: cannot open: {}\n", path, std::strerror(errno));
      continue;
    }
    v4l2_capability caps{};
    if (::ioctl(fd, VIDIOC_QUERYCAP, &caps) == 0) {
      const uint32_t device_caps =
          (caps.capabilities & V4L2_CAP_DEVICE_CAPS) ? caps.device_caps : caps.capabilities;
      if (!(device_caps & V4L2_CAP_VIDEO_CAPTURE)) {
        text += fmt::format("  {}: {} (not a capture node)\n", path,
                            reinterpret_cast<const char*>(caps.card));
      } else {
        text += fmt::format("  {}: {}\n", path, reinterpret_cast<const char*>(caps.card));
        v4l2_fmtdesc desc{};
        desc.type = V4L2_BUF_TYPE_VIDEO_CAPTURE;
        for (desc.index = 0; ::ioctl(fd, VIDIOC_ENUM_FMT, &desc) == 0; ++desc.index) {
          text += fmt::format("    {} ({}): {}\n", fourcc(desc.pixelformat),
                              reinterpret_cast<const char*>(desc.description),
                              sizes_of(fd, desc.pixelformat));
        }
      }
    } else {
      text += fmt::format("  {}: not a V4L2 device\n", path);
    }
    ::close(fd);
  }
  return text;
}

// While alive, stderr goes nowhere: ALSA and JACK print pages about every card they probe
// and do not find, which would bury the list.
class QuietStderr {
 public:
  QuietStderr() : saved_(::dup(STDERR_FILENO)) {
    const int null = ::open("/dev/null", O_WRONLY | O_CLOEXEC);
    if (null >= 0) {
      ::dup2(null, STDERR_FILENO);
      ::close(null);
    }
  }
  ~QuietStderr() {
    if (saved_ >= 0) {
      ::dup2(saved_, STDERR_FILENO);
      ::close(saved_);
    }
  }
  QuietStderr(const QuietStderr&) = delete;
  QuietStderr& operator=(const QuietStderr&) = delete;

 private:
  int saved_;
};

std::string describe_audio() {
  std::string text = "Microphones and speakers (PortAudio; ttycall uses the defaults):\n";
  QuietStderr quiet;
  if (Pa_Initialize() != paNoError) return text + "  the audio system cannot start\n";
  const int count = Pa_GetDeviceCount();
  const PaDeviceIndex default_in = Pa_GetDefaultInputDevice();
  const PaDeviceIndex default_out = Pa_GetDefaultOutputDevice();
  if (count <= 0) text += "  none found\n";
  for (int i = 0; i < count; ++i) {
    const PaDeviceInfo* info = Pa_GetDeviceInfo(i);
    if (!info) continue;
    std::string roles;
    if (info->maxInputChannels > 0) {
      roles += fmt::format("microphone ({} ch{})", info->maxInputChannels,
                           i == default_in ? ", default" : "");
    }
    if (info->maxOutputChannels > 0) {
      roles += fmt::format("{}speaker ({} ch{})", roles.empty() ? "" : ", ",
                           info->maxOutputChannels, i == default_out ? ", default" : "");
    }
    text += fmt::format("  {}: {}, {:.0f} Hz\n", info->name, roles, info->defaultSampleRate);
  }
  Pa_Terminate();
  return text;
}

}  // namespace

std::string describe_devices() {
  return describe_cameras() + describe_audio();
}

}  // namespace ttycall::client
