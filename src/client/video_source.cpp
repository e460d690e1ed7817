#include "client/video_source.h"

#include <charconv>

#include "client/media_player.h"
#include "client/test_patterns.h"
#include "client/v4l2_camera.h"
#include "media/pixel_convert.h"

namespace ttycall::client {
namespace {

// Shows another source mirrored left to right (in place: no copy, no allocation).
class FlippedSource final : public VideoSource {
 public:
  explicit FlippedSource(std::unique_ptr<VideoSource> inner) : inner_(std::move(inner)) {}
  void capture(media::MutableImageView out, uint64_t frame, double seconds) override {
    inner_->capture(out, frame, seconds);
    media::flip_horizontal(out);
  }

 private:
  std::unique_ptr<VideoSource> inner_;
};

constexpr const char* kKnownSpecs =
    "test:bars, test:moving, test:solid:RRGGBB, device, v4l2:/dev/videoN, file:PATH, a URL or "
    "none";

}  // namespace

bool is_media_spec(std::string_view spec) {
  return spec.starts_with("file:") || spec.find("://") != std::string_view::npos;
}

bool is_camera_spec(std::string_view spec) {
  return spec == "device" || spec.starts_with("v4l2:");
}

core::Result<OpenedVideo> make_video_source(std::string_view spec, uint32_t seed) {
  VideoSourceOptions options;
  options.seed = seed;
  return make_video_source(spec, options);
}

core::Result<OpenedVideo> make_video_source(std::string_view spec,
                                            const VideoSourceOptions& options) {
  OpenedVideo opened;
  if (spec == "none") return opened;
  if (spec == "test:bars") {
    opened.source = std::make_unique<BarsSource>();
  } else if (spec == "test:moving") {
    opened.source = std::make_unique<MovingSource>(options.seed);
  } else if (spec.starts_with("test:solid:")) {
    const std::string_view hex = spec.substr(11);
    uint32_t rgb = 0;
    const auto [end, ec] = std::from_chars(hex.data(), hex.data() + hex.size(), rgb, 16);
    if (hex.size() != 6 || ec != std::errc() || end != hex.data() + hex.size()) {
      return core::Status::invalid_input(
          "test:solid needs a colour as six hex digits, e.g. test:solid:ff0000");
    }
    opened.source =
        std::make_unique<SolidSource>(uint8_t(rgb >> 16), uint8_t(rgb >> 8), uint8_t(rgb));
  } else if (is_camera_spec(spec)) {
    const std::string path = spec == "device" ? "device" : std::string(spec.substr(5));
    core::Result<std::unique_ptr<V4l2Camera>> camera = V4l2Camera::open(path);
    if (!camera.is_ok()) return camera.status();
    opened.source = std::move(*camera);
  } else if (is_media_spec(spec)) {
    const std::string url =
        spec.starts_with("file:") ? std::string(spec.substr(5)) : std::string(spec);
    if (url.empty()) {
      return core::Status::invalid_input("file: needs a path, e.g. --video file:talk.mp4");
    }
    core::Result<std::shared_ptr<MediaPlayer>> player =
        MediaPlayer::open(url, {.video = true, .audio = options.with_audio, .loop = options.loop});
    if (!player.is_ok()) return player.status();
    if ((*player)->has_audio()) opened.audio = *player;
    opened.source = std::make_unique<MediaVideoSource>(std::move(*player));
  } else {
    return core::Status::invalid_input("unknown video source '" + std::string(spec) +
                                       "' (expected " + kKnownSpecs + ")");
  }
  if (options.flip.value_or(is_camera_spec(spec))) {
    opened.source = std::make_unique<FlippedSource>(std::move(opened.source));
  }
  return opened;
}

}  // namespace ttycall::client
