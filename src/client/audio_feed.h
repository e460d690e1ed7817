#pragma once
// Sound that is not a microphone: a file's or a stream's audio track playing into the call.
// The voice takes 48 kHz mono samples from it on its 20 ms timer.
#include <cstddef>
#include <span>

namespace ttycall::client {

class AudioFeed {
 public:
  virtual ~AudioFeed() = default;
  // Takes up to out.size() samples that are due; returns how many (fewer when the source
  // is behind or has ended).
  virtual size_t read(std::span<float> out) = 0;
  // True once the source has ended (and was not looped) and everything was read.
  virtual bool ended() const = 0;
};

}  // namespace ttycall::client
