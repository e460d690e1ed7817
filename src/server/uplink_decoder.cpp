#include "server/uplink_decoder.h"

#include "media/jpeg_markers.h"
#include "net/protocol.h"
#include "server/participant.h"
#include "server/server_context.h"

namespace ttycall::server {
namespace {

// Frames that may arrive at once after a stall of the sender's network, beyond its rate.
constexpr double kCameraBurstFrames = 5;

}  // namespace

UplinkDecoder::UplinkDecoder(ServerContext& context, Participant& participant)
    : context_(context),
      participant_(participant),
      camera_rate_(context.options.fps, kCameraBurstFrames) {}

bool UplinkDecoder::video(std::span<const uint8_t> payload) {
  net::VideoUpHeader up;
  std::span<const uint8_t> jpeg;
  if (!net::decode(payload, up, jpeg)) return false;
  if (!participant_.video_wanted()) {  // sent before our VideoRequest(0 x 0) arrived
    context_.counters.video_frames_unwanted.fetch_add(1, std::memory_order_relaxed);
    return true;
  }
  if (!camera_rate_.allow(core::SteadyClock::now())) {
    context_.counters.video_frames_over_rate.fetch_add(1, std::memory_order_relaxed);
    return true;
  }
  if (!media::jpeg_markers::is_baseline(jpeg)) {
    context_.counters.video_frames_rejected.fetch_add(1, std::memory_order_relaxed);
    return true;
  }
  media::JpegInfo info;
  const size_t needed = size_t(up.width) * up.height * 3;
  if (!jpeg_.read_info(jpeg, info) || info.width != up.width || info.height != up.height ||
      needed > context_.decoded_pool.buffer_size()) {
    context_.counters.video_frames_rejected.fetch_add(1, std::memory_order_relaxed);
    return true;  // a bad frame costs the frame, not the call
  }
  VideoFrame frame;
  frame.pixels = context_.decoded_pool.acquire();
  if (!frame.pixels) {
    context_.counters.frames_dropped.fetch_add(1, std::memory_order_relaxed);
    return true;
  }
  if (!jpeg_.decode(jpeg, info, frame.pixels.writable())) {
    context_.counters.video_frames_rejected.fetch_add(1, std::memory_order_relaxed);
    return true;
  }
  frame.pixels.set_size(needed);
  frame.width = up.width;
  frame.height = up.height;
  frame.capture_us = up.capture_us;
  participant_.put_video(std::move(frame));
  context_.counters.video_frames_in.fetch_add(1, std::memory_order_relaxed);
  return true;
}

bool UplinkDecoder::audio(std::span<const uint8_t> payload) {
  net::AudioUpHeader up;
  std::span<const uint8_t> opus;
  if (!net::decode(payload, up, opus)) return false;
  const bool silent = (up.flags & net::kAudioSilent) != 0;
  participant_.set_muted(silent);
  if (silent) {
    have_audio_seq_ = false;
    return true;
  }
  // One lost packet is recovered from this packet's in-band FEC data, so the decoder stays
  // in step and the mixer gets the missing frame too.
  if (have_audio_seq_ && up.seq - last_audio_seq_ == 2 && opus_.decode_fec(opus, decoded_audio_)) {
    participant_.push_audio(decoded_audio_, up.capture_us);
  }
  have_audio_seq_ = true;
  last_audio_seq_ = up.seq;
  opus_.decode(opus, decoded_audio_);
  participant_.push_audio(decoded_audio_, up.capture_us);
  return true;
}

}  // namespace ttycall::server
