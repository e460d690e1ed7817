#pragma once
// The client's voice: microphone (or a test source) to Opus packets, and Opus packets
// through an adaptive jitter buffer to the speaker (or a file).
//
// Inputs:  none | device | sine:HZ | file:PATH (any file FFmpeg decodes: wav, mp3, ogg, the
//          sound of a video...), or a feed given by the caller (a --video file's own sound)
// Outputs: device | null | file:PATH.wav
// The client's 20 ms timer drives both directions, so the non-device backends pace
// themselves in real time. With a real microphone and speaker, echo cancellation
// (speexdsp) cleans the microphone of what the speaker played. Everything is sized when
// the voice is opened; the 20 ms work does not allocate.
#include <algorithm>
#include <array>
#include <cstdint>
#include <memory>
#include <nlohmann/json_fwd.hpp>
#include <span>
#include <string>

#include "client/audio_device.h"
#include "client/audio_feed.h"
#include "client/echo_canceller.h"
#include "core/status.h"
#include "media/audio/audio_format.h"
#include "media/audio/jitter_buffer.h"
#include "media/audio/opus_codec.h"
#include "media/audio/tone.h"
#include "media/audio/wav_file.h"
#include "net/protocol.h"

namespace ttycall::client {

struct VoiceOptions {
  std::string input = "none";
  std::string output = "null";
  bool muted = false;
  bool echo_cancel = true;  // only takes effect with a device microphone and speaker
  bool loop = false;        // file input starts again at its end
  // When set, the voice's input is this (and `input` is not used).
  std::shared_ptr<AudioFeed> feed;
  // False: what arrives goes through the jitter buffer (its stats and the mouth-to-ear delay
  // are kept) but is not decoded, and silence plays: the load generator's receive-only
  // clients, a thousand of which would otherwise spend its CPU on Opus.
  bool decode_received = true;
};

class Voice {
 public:
  // A failure says which option cannot work and why.
  static core::Result<std::unique_ptr<Voice>> open(const VoiceOptions& options);
  Voice() = default;  // use open()
  ~Voice();
  Voice(const Voice&) = delete;
  Voice& operator=(const Voice&) = delete;

  // Once per 20 ms: captures what is due and hands each AudioUp packet (a complete packet,
  // header included) to `send`.
  template <class Send>
  void capture(Send&& send) {
    // A device delivers at its own clock, so drain what has arrived; test sources make
    // exactly one frame per tick; a file's decoder thread may miss a tick now and then and
    // catch up on the next ones (never more than one frame per tick on average).
    int budget = input_kind_ == Input::kDevice ? 3 : 1;
    if (input_kind_ == Input::kFile) budget = file_owed_ = std::min(file_owed_ + 1, 3);
    for (int frames = 0; frames < budget && next_frame(); ++frames) {
      if (input_kind_ == Input::kFile) --file_owed_;
      const size_t n = build_packet();
      if (n > 0) send(std::span<const uint8_t>(packet_.data(), n));
    }
  }
  // An AudioDown packet arrived (its payload after the fixed part is Opus).
  void receive(const net::AudioDownHeader& header, std::span<const uint8_t> opus);
  // Once per 20 ms: plays the next frame (decoded, recovered, concealed or silence).
  void play();

  bool muted() const { return muted_; }
  void set_muted(bool muted) {
    muted_ = muted;
    silent_frames_ = 0;  // tell the server at once
  }
  bool has_input() const { return input_kind_ != Input::kNone; }
  // For the stats box: the share of received packets lost so far, and the playout delay.
  double loss_fraction() const {
    const media::audio::JitterStats& j = jitter_.stats();
    return j.received + j.lost > 0 ? double(j.lost) / double(j.received + j.lost) : 0.0;
  }
  double delay_ms() const { return jitter_.delay_ms(); }

  // Writes the stats under the given JSON object: packets, loss, delay, mouth-to-ear.
  void write_stats(nlohmann::json& out) const;
  // Finishes an output file.
  void close();

 private:
  enum class Input { kNone, kDevice, kSine, kFile };
  enum class Output { kNull, kDevice, kFile };

  bool next_frame();  // fills mic_ with the next frame to send; false when none is due
  size_t build_packet();

  Input input_kind_ = Input::kNone;
  Output output_kind_ = Output::kNull;
  std::unique_ptr<AudioDevice> device_;
  std::unique_ptr<EchoCanceller> echo_;
  std::unique_ptr<media::audio::SineSource> sine_;
  std::shared_ptr<AudioFeed> feed_;  // file input
  bool feed_done_ = false;
  size_t feed_filled_ = 0;  // samples of mic_ already taken from the feed
  int file_owed_ = 0;       // ticks whose frame the file has not delivered yet
  media::audio::WavWriter wav_out_;
  media::audio::OpusEncoder encoder_;
  media::audio::OpusDecoder decoder_;
  media::audio::JitterBuffer jitter_;
  bool muted_ = false;
  bool decode_received_ = true;
  uint32_t seq_ = 0;
  uint64_t silent_frames_ = 0;

  std::array<float, media::audio::kFrameSamples> mic_{};
  std::array<float, media::audio::kFrameSamples> speaker_{};
  std::array<uint8_t,
             net::kHeaderSize + net::kAudioUpHeaderSize + media::audio::kMaxOpusPacketBytes>
      packet_{};

  uint64_t packets_sent_ = 0;
  uint64_t packets_received_ = 0;
  static constexpr size_t kDelaySamples = 4096;
  std::array<float, kDelaySamples> mouth_to_ear_ms_{};  // ring of the most recent
  uint64_t delay_count_ = 0;
};

}  // namespace ttycall::client
