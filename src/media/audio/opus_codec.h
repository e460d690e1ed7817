#pragma once
// Opus (libopus) for ttycall's one format: 48 kHz mono float frames of 960 samples (20 ms).
//
// The encoder runs in VOIP mode with in-band FEC on and DTX off; the decoder decodes a
// packet, recovers a lost frame from the FEC data of the packet after it, or conceals a
// lost frame (PLC). Both keep their libopus state in memory they own, allocated once in the
// constructor through operator new (so it is counted), and never allocate afterwards.
// libopus states are position independent: copy_state_from() lets a server hand a
// listener's stream over from one encoder to another without the decoder noticing.
// Neither class is thread-safe; use one per thread or guard it.
#include <cstddef>
#include <cstdint>
#include <memory>
#include <span>

#include "media/audio/audio_format.h"

namespace ttycall::media::audio {

struct OpusEncoderOptions {
  int bitrate_bps = 32000;         // 6000..510000; 24-32 kbit/s is clear speech
  int complexity = 9;              // 0..10
  int expected_loss_percent = 10;  // how much FEC redundancy to spend (0..100)
};

class OpusEncoder {
 public:
  explicit OpusEncoder(const OpusEncoderOptions& options = {});
  ~OpusEncoder();
  OpusEncoder(const OpusEncoder&) = delete;
  OpusEncoder& operator=(const OpusEncoder&) = delete;

  // False if libopus refused the configuration; encode() then returns 0.
  bool ok() const { return ok_; }

  // Encodes one frame (exactly kFrameSamples samples) into `out`; returns the packet size
  // (1..1275 bytes) or 0 on failure (wrong frame size, `out` too small).
  size_t encode(std::span<const float> frame, std::span<uint8_t> out);

  bool set_bitrate(int bitrate_bps);
  // Forgets the signal history (a new stream).
  void reset();
  // Makes this encoder continue exactly where `other` is (same output for the same input).
  void copy_state_from(const OpusEncoder& other);

 private:
  std::unique_ptr<std::max_align_t[]> state_;
  size_t state_bytes_ = 0;
  bool ok_ = false;
};

class OpusDecoder {
 public:
  OpusDecoder();
  ~OpusDecoder();
  OpusDecoder(const OpusDecoder&) = delete;
  OpusDecoder& operator=(const OpusDecoder&) = delete;

  bool ok() const { return ok_; }

  // Each call writes exactly kFrameSamples samples into `out` (which must hold that many).
  // decode(): the frame in `packet`. On a corrupt packet it conceals instead and returns
  // false. A packet of other than 20 ms is treated as corrupt.
  bool decode(std::span<const uint8_t> packet, std::span<float> out);
  // The frame *before* `next_packet`, from its in-band FEC data (for a lost packet whose
  // successor has arrived). Falls back to concealment when there is no FEC data.
  bool decode_fec(std::span<const uint8_t> next_packet, std::span<float> out);
  // Packet-loss concealment: a plausible continuation of the signal, fading out when
  // repeated.
  void conceal(std::span<float> out);

  void reset();
  void copy_state_from(const OpusDecoder& other);

 private:
  std::unique_ptr<std::max_align_t[]> state_;
  size_t state_bytes_ = 0;
  bool ok_ = false;
};

}  // namespace ttycall::media::audio
