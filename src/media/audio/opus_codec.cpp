#include "media/audio/opus_codec.h"

#include <opus.h>

#include <algorithm>
#include <cstring>

#include "core/alloc_accounting.h"

namespace ttycall::media::audio {
namespace {

const core::AllocSite& opus_site() {
  static const core::AllocSite site("opus");
  return site;
}

std::unique_ptr<std::max_align_t[]> allocate_state(size_t bytes) {
  const core::ScopedAllocSite scope(opus_site());
  const size_t words = (bytes + sizeof(std::max_align_t) - 1) / sizeof(std::max_align_t);
  return std::make_unique<std::max_align_t[]>(words);
}

::OpusEncoder* as_encoder(const std::unique_ptr<std::max_align_t[]>& state) {
  return reinterpret_cast<::OpusEncoder*>(state.get());
}

::OpusDecoder* as_decoder(const std::unique_ptr<std::max_align_t[]>& state) {
  return reinterpret_cast<::OpusDecoder*>(state.get());
}

}  // namespace

// ---- encoder ----------------------------------------------------------------------------

OpusEncoder::OpusEncoder(const OpusEncoderOptions& options)
    : state_bytes_(size_t(opus_encoder_get_size(1))) {
  state_ = allocate_state(state_bytes_);
  ::OpusEncoder* enc = as_encoder(state_);
  ok_ = opus_encoder_init(enc, kSampleRate, 1, OPUS_APPLICATION_VOIP) == OPUS_OK;
  if (!ok_) return;
  ok_ =
      opus_encoder_ctl(enc, OPUS_SET_BITRATE(options.bitrate_bps)) == OPUS_OK &&
      opus_encoder_ctl(enc, OPUS_SET_COMPLEXITY(options.complexity)) == OPUS_OK &&
      opus_encoder_ctl(enc, OPUS_SET_SIGNAL(OPUS_SIGNAL_VOICE)) == OPUS_OK &&
      opus_encoder_ctl(enc, OPUS_SET_INBAND_FEC(1)) == OPUS_OK &&
      opus_encoder_ctl(enc, OPUS_SET_PACKET_LOSS_PERC(options.expected_loss_percent)) == OPUS_OK &&
      opus_encoder_ctl(enc, OPUS_SET_DTX(0)) == OPUS_OK;
}

OpusEncoder::~OpusEncoder() = default;

size_t OpusEncoder::encode(std::span<const float> frame, std::span<uint8_t> out) {
  if (!ok_ || frame.size() != size_t(kFrameSamples) || out.empty()) return 0;
  const auto capacity = opus_int32(std::min(out.size(), kMaxOpusPacketBytes));
  const opus_int32 n =
      opus_encode_float(as_encoder(state_), frame.data(), kFrameSamples, out.data(), capacity);
  return n > 0 ? size_t(n) : 0;
}

bool OpusEncoder::set_bitrate(int bitrate_bps) {
  return ok_ && opus_encoder_ctl(as_encoder(state_), OPUS_SET_BITRATE(bitrate_bps)) == OPUS_OK;
}

void OpusEncoder::reset() {
  if (ok_) opus_encoder_ctl(as_encoder(state_), OPUS_RESET_STATE);
}

void OpusEncoder::copy_state_from(const OpusEncoder& other) {
  if (this == &other || state_bytes_ != other.state_bytes_) return;
  std::memcpy(state_.get(), other.state_.get(), state_bytes_);
  ok_ = other.ok_;
}

// ---- decoder ----------------------------------------------------------------------------

OpusDecoder::OpusDecoder() : state_bytes_(size_t(opus_decoder_get_size(1))) {
  state_ = allocate_state(state_bytes_);
  ok_ = opus_decoder_init(as_decoder(state_), kSampleRate, 1) == OPUS_OK;
}

OpusDecoder::~OpusDecoder() = default;

bool OpusDecoder::decode(std::span<const uint8_t> packet, std::span<float> out) {
  if (out.size() < size_t(kFrameSamples)) return false;
  if (ok_ && !packet.empty() && packet.size() <= kMaxPacketBytes &&
      opus_packet_get_nb_samples(packet.data(), opus_int32(packet.size()), kSampleRate) ==
          kFrameSamples) {
    const int n = opus_decode_float(as_decoder(state_), packet.data(), opus_int32(packet.size()),
                                    out.data(), kFrameSamples, 0);
    if (n == kFrameSamples) return true;
  }
  conceal(out);
  return false;
}

bool OpusDecoder::decode_fec(std::span<const uint8_t> next_packet, std::span<float> out) {
  if (out.size() < size_t(kFrameSamples)) return false;
  if (ok_ && !next_packet.empty() && next_packet.size() <= kMaxPacketBytes &&
      opus_packet_get_nb_samples(next_packet.data(), opus_int32(next_packet.size()), kSampleRate) ==
          kFrameSamples) {
    // With decode_fec = 1 libopus conceals by itself when the packet carries no FEC data.
    const int n = opus_decode_float(as_decoder(state_), next_packet.data(),
                                    opus_int32(next_packet.size()), out.data(), kFrameSamples, 1);
    if (n == kFrameSamples) return true;
  }
  conceal(out);
  return false;
}

void OpusDecoder::conceal(std::span<float> out) {
  if (out.size() < size_t(kFrameSamples)) return;
  if (!ok_ || opus_decode_float(as_decoder(state_), nullptr, 0, out.data(), kFrameSamples, 0) !=
                  kFrameSamples) {
    std::fill_n(out.begin(), kFrameSamples, 0.0f);
  }
}

void OpusDecoder::reset() {
  if (ok_) opus_decoder_ctl(as_decoder(state_), OPUS_RESET_STATE);
}

void OpusDecoder::copy_state_from(const OpusDecoder& other) {
  if (this == &other || state_bytes_ != other.state_bytes_) return;
  std::memcpy(state_.get(), other.state_.get(), state_bytes_);
  ok_ = other.ok_;
}

}  // namespace ttycall::media::audio
