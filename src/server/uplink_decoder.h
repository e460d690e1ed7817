#pragma once
// Decodes what a participant sends up: camera frames (JPEG) into pooled RGB frames, voice
// (Opus, with in-band FEC for one lost packet) into 20 ms frames for the mixer. Both land
// in the Participant. One per session.
//
// Voice is decoded on the session's io thread (a packet costs tens of microseconds). A
// camera frame is only checked there (its rate, its markers, its stated size), copied into
// the decoder's one waiting slot (a newer frame replaces one still waiting) and decoded on
// a decode worker (decode_workers.h), so a frame that is costly to decode delays no other
// session's packets. The JPEG decoder (and its arena) is this participant's own; the
// workers never run one participant's decoding on two threads at once.
#include <array>
#include <cstdint>
#include <mutex>
#include <span>
#include <vector>

#include "core/rate_limiter.h"
#include "media/audio/audio_format.h"
#include "media/audio/opus_codec.h"
#include "media/jpeg_codec.h"
#include "net/protocol.h"
#include "server/decode_workers.h"

namespace ttycall::server {

class Participant;
struct ServerContext;

class UplinkDecoder : private DecodeWorkers::Job {
 public:
  UplinkDecoder(ServerContext& context, Participant& participant);
  ~UplinkDecoder();
  UplinkDecoder(const UplinkDecoder&) = delete;
  UplinkDecoder& operator=(const UplinkDecoder&) = delete;

  // False for a payload that does not decode as a VideoUp / AudioUp message (a protocol
  // error). A frame the codec refuses only costs that frame: it is counted, not an error.
  // Camera frames above the rate the server asks for (in frames, and in bytes: 3 bits a
  // pixel of the largest frame it asks for), and any JPEG but baseline, are dropped before
  // decoding, and so are voice packets beyond a little more than one per
  // 20 ms: what one sender can make the server decode stays bounded.
  bool video(std::span<const uint8_t> payload);
  bool audio(std::span<const uint8_t> payload);

  // No more frames reach the participant: what waits is dropped, a decode in progress
  // keeps its result to itself. From the session's io thread, as it closes.
  void stop();

 private:
  // A compressed frame, in a buffer that grows only when a larger frame first comes.
  struct Compressed {
    net::VideoUpHeader up;
    std::vector<uint8_t> bytes;
    size_t size = 0;
  };
  void run() override;  // on a decode worker: decodes the waiting frame, if any
  void decode(const Compressed& frame);

  ServerContext& context_;
  Participant& participant_;
  core::RateLimiter camera_rate_;   // frames
  core::RateLimiter camera_bytes_;  // their bytes

  std::mutex waiting_mutex_;  // the io thread fills waiting_, a worker takes it
  Compressed waiting_;
  bool frame_waiting_ = false;
  bool stopped_ = false;
  Compressed decoding_;  // the worker's
  media::JpegDecoder jpeg_;

  core::RateLimiter voice_rate_;  // the io thread's
  media::audio::OpusDecoder opus_;
  std::array<float, media::audio::kFrameSamples> decoded_audio_{};
  uint32_t last_audio_seq_ = 0;
  bool have_audio_seq_ = false;
};

}  // namespace ttycall::server
