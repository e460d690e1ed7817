#include "load/shared_pattern_frames.h"

#include "client/test_patterns.h"
#include "media/jpeg_codec.h"

namespace ttycall::load {

std::span<const uint8_t> SharedPatternFrames::frame(int width, int height, uint64_t number) {
  if (width <= 0 || height <= 0) return {};
  std::lock_guard lock(mutex_);
  auto it = by_size_.find({width, height});
  if (it == by_size_.end())
    it = by_size_.emplace(std::pair{width, height}, encode_size(width, height)).first;
  const Frames& frames = it->second;
  if (frames.empty()) return {};
  return frames[size_t(number % frames.size())];
}

size_t SharedPatternFrames::sizes_encoded() const {
  std::lock_guard lock(mutex_);
  return by_size_.size();
}

SharedPatternFrames::Frames SharedPatternFrames::encode_size(int width, int height) {
  client::MovingSource pattern(1);
  media::JpegEncoder encoder;  // the camera's own settings
  std::vector<uint8_t> pixels(size_t(width) * height * 3);
  std::vector<uint8_t> out(media::JpegEncoder::max_size(width, height));
  Frames frames;
  for (int i = 0; i < kFramesPerSize; ++i) {
    const media::MutableImageView image{pixels.data(), width, height, width * 3};
    pattern.capture(image, uint64_t(i), i / 30.0);
    const size_t size = encoder.encode(image.view(), out);
    if (size == 0) return {};
    frames.emplace_back(out.begin(), out.begin() + ptrdiff_t(size));
  }
  return frames;
}

}  // namespace ttycall::load
