#include "server/uplink_decoder.h"

#include <algorithm>
#include <bit>

#include "core/alloc_accounting.h"
#include "media/jpeg_markers.h"
#include "server/participant.h"
#include "server/server_context.h"

namespace ttycall::server {
namespace {

// Frames that may arrive at once after a stall of the sender's network, beyond its rate.
constexpr double kCameraBurstFrames = 5;
// Camera bytes: decoding a baseline JPEG costs about in proportion to its bytes, so a
// sender may send at most 3 bits a pixel of the largest frame the server asks for, at its
// rate (a camera's JPEG at quality 75 takes 1 to 2), and any one frame up to the largest
// packet after a quiet spell.
double camera_bytes_per_second(const ServerOptions& o) {
  return double(o.fps) * o.max_video_width * o.max_video_height * 3 / 8;
}
constexpr double kCameraBurstBytes = double(net::max_payload(net::MsgType::kVideoUp));
// Voice packets: one per 20 ms, with room for a sender's clock running a little fast and
// for the packets a stalled network delivers at once (half a second of them).
constexpr double kVoicePacketsPerSecond = 1.1 * media::audio::kFramesPerSecond;
constexpr double kVoiceBurstPackets = media::audio::kFramesPerSecond / 2;
// The waiting slot's first size; it doubles past it as larger frames come (a camera's
// frames vary a little in size, so growth stops early in a call).
constexpr size_t kFirstSlotBytes = 64 * 1024;

const core::AllocSite& slot_site() {
  static const core::AllocSite site("uplink.waiting_frame");
  return site;
}

}  // namespace

UplinkDecoder::UplinkDecoder(ServerContext& context, Participant& participant)
    : context_(context),
      participant_(participant),
      camera_rate_(context.options.fps, kCameraBurstFrames),
      camera_bytes_(camera_bytes_per_second(context.options), kCameraBurstBytes),
      voice_rate_(kVoicePacketsPerSecond, kVoiceBurstPackets) {}

UplinkDecoder::~UplinkDecoder() {
  context_.decode_workers.cancel(*this);
}

bool UplinkDecoder::video(std::span<const uint8_t> payload) {
  net::VideoUpHeader up;
  std::span<const uint8_t> jpeg;
  if (!net::decode(payload, up, jpeg)) return false;
  if (!participant_.video_wanted()) {  // sent before our VideoRequest(0 x 0) arrived
    context_.counters.video_frames_unwanted.fetch_add(1, std::memory_order_relaxed);
    return true;
  }
  const auto now = core::SteadyClock::now();
  if (!camera_rate_.allow(now) || !camera_bytes_.allow(now, double(jpeg.size()))) {
    context_.counters.video_frames_over_rate.fetch_add(1, std::memory_order_relaxed);
    return true;
  }
  if (!media::jpeg_markers::is_baseline(jpeg) ||
      size_t(up.width) * up.height * 3 > context_.decoded_pool.buffer_size()) {
    context_.counters.video_frames_rejected.fetch_add(1, std::memory_order_relaxed);
    return true;  // a bad frame costs the frame, not the call
  }
  {
    std::lock_guard lock(waiting_mutex_);
    if (stopped_) return true;
    if (waiting_.bytes.size() < jpeg.size()) {
      core::ScopedAllocSite site(slot_site());
      waiting_.bytes.resize(std::max(kFirstSlotBytes, std::bit_ceil(jpeg.size())));
    }
    std::copy(jpeg.begin(), jpeg.end(), waiting_.bytes.begin());
    waiting_.size = jpeg.size();
    waiting_.up = up;
    if (frame_waiting_) {
      // The workers are behind: the newer frame replaces the older, never decoded.
      context_.counters.video_frames_superseded.fetch_add(1, std::memory_order_relaxed);
    }
    frame_waiting_ = true;
  }
  context_.decode_workers.schedule(*this);
  return true;
}

void UplinkDecoder::run() {
  {
    std::lock_guard lock(waiting_mutex_);
    if (!frame_waiting_ || stopped_) return;
    std::swap(waiting_, decoding_);  // buffers change hands, no bytes are copied
    frame_waiting_ = false;
  }
  decode(decoding_);
}

void UplinkDecoder::decode(const Compressed& compressed) {
  const std::span<const uint8_t> jpeg(compressed.bytes.data(), compressed.size);
  const net::VideoUpHeader& up = compressed.up;
  VideoFrame frame;
  frame.pixels = context_.decoded_pool.acquire();
  if (!frame.pixels) {
    context_.counters.frames_dropped.fetch_add(1, std::memory_order_relaxed);
    return;
  }
  if (!jpeg_.decode(jpeg, {up.width, up.height}, frame.pixels.writable())) {
    context_.counters.video_frames_rejected.fetch_add(1, std::memory_order_relaxed);
    return;
  }
  frame.pixels.set_size(size_t(up.width) * up.height * 3);
  frame.width = up.width;
  frame.height = up.height;
  frame.capture_us = up.capture_us;
  {
    std::lock_guard lock(waiting_mutex_);
    if (stopped_) return;  // the participant has left: the frame goes back to its pool
    participant_.put_video(std::move(frame));
  }
  context_.counters.video_frames_in.fetch_add(1, std::memory_order_relaxed);
}

void UplinkDecoder::stop() {
  std::lock_guard lock(waiting_mutex_);
  stopped_ = true;
  frame_waiting_ = false;
}

bool UplinkDecoder::audio(std::span<const uint8_t> payload) {
  net::AudioUpHeader up;
  std::span<const uint8_t> opus;
  if (!net::decode(payload, up, opus)) return false;
  if (!voice_rate_.allow(core::SteadyClock::now())) {
    context_.counters.voice_packets_over_rate.fetch_add(1, std::memory_order_relaxed);
    return true;
  }
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
