#pragma once
// Decodes what a participant sends up: camera frames (JPEG) into pooled RGB frames, voice
// (Opus, with in-band FEC for one lost packet) into 20 ms frames for the mixer. Both land
// in the Participant. One per session, on its io thread.
#include <array>
#include <cstdint>
#include <span>

#include "core/rate_limiter.h"
#include "media/audio/audio_format.h"
#include "media/audio/opus_codec.h"
#include "media/jpeg_codec.h"

namespace ttycall::server {

class Participant;
struct ServerContext;

class UplinkDecoder {
 public:
  UplinkDecoder(ServerContext& context, Participant& participant);

  // False for a payload that does not decode as a VideoUp / AudioUp message (a protocol
  // error). A frame the codec refuses only costs that frame: it is counted, not an error.
  // Camera frames above the rate the server asks for, and any JPEG but baseline, are
  // dropped before decoding: what one sender can make the server decode stays bounded.
  bool video(std::span<const uint8_t> payload);
  bool audio(std::span<const uint8_t> payload);

 private:
  ServerContext& context_;
  Participant& participant_;
  core::RateLimiter camera_rate_;
  media::JpegDecoder jpeg_;
  media::audio::OpusDecoder opus_;
  std::array<float, media::audio::kFrameSamples> decoded_audio_{};
  uint32_t last_audio_seq_ = 0;
  bool have_audio_seq_ = false;
};

}  // namespace ttycall::server
