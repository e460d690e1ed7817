#pragma once
// Synthetic cameras for tests, load and the demo: no hardware needed.
#include <cstdint>

#include "client/video_source.h"

namespace ttycall::client {

// SMPTE-like colour bars.
class BarsSource final : public VideoSource {
 public:
  void capture(media::MutableImageView out, uint64_t frame, double seconds) override;
};

// One flat colour.
class SolidSource final : public VideoSource {
 public:
  SolidSource(uint8_t r, uint8_t g, uint8_t b) : r_(r), g_(g), b_(b) {}
  void capture(media::MutableImageView out, uint64_t frame, double seconds) override;

 private:
  uint8_t r_, g_, b_;
};

// A drifting colour gradient with a bouncing ball; `seed` shifts hue and motion.
class MovingSource final : public VideoSource {
 public:
  explicit MovingSource(uint32_t seed) : seed_(seed) {}
  void capture(media::MutableImageView out, uint64_t frame, double seconds) override;

 private:
  uint32_t seed_;
};

}  // namespace ttycall::client
