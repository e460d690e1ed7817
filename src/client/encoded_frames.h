#pragma once
// Camera frames that are already JPEG: a stand-in for capturing and encoding, for clients
// that would all encode the same picture (the load generator's synthetic participants
// share one set, so what limits a big benchmark is the server, not 256 encoders).
#include <cstdint>
#include <span>

namespace ttycall::client {

class EncodedFrames {
 public:
  virtual ~EncodedFrames() = default;
  // Frame `number` at width x height as a JPEG, valid for the life of this object; empty
  // when it cannot be had (the camera then sends nothing for that frame). Called from any
  // thread.
  virtual std::span<const uint8_t> frame(int width, int height, uint64_t number) = 0;
};

}  // namespace ttycall::client
