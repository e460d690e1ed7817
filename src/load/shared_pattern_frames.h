#pragma once
// The load generator's camera: a second of the moving test pattern, encoded once per size
// the server asks for and shared by every synthetic participant (each starts at its own
// phase, so tiles do not move in step). The server decodes these frames as it would any
// camera's; only the clients' encoding is saved.
#include <cstdint>
#include <map>
#include <mutex>
#include <utility>
#include <vector>

#include "client/encoded_frames.h"

namespace ttycall::load {

class SharedPatternFrames final : public client::EncodedFrames {
 public:
  static constexpr int kFramesPerSize = 30;  // a second at 30 fps, then it loops

  // A size seen for the first time is encoded then (kFramesPerSize JPEGs, under the lock):
  // that is warm-up, when the server first asks for it.
  std::span<const uint8_t> frame(int width, int height, uint64_t number) override;
  size_t sizes_encoded() const;

 private:
  using Frames = std::vector<std::vector<uint8_t>>;
  static Frames encode_size(int width, int height);

  mutable std::mutex mutex_;
  std::map<std::pair<int, int>, Frames> by_size_;  // entries are never erased or changed
};

}  // namespace ttycall::load
