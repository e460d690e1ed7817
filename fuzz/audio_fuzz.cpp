// audio_fuzz: AudioUp on the server and AudioDown on the client, down to the Opus decoder.
//
// Input: one mode byte, then records, each  u8 control | u16 length (LE) | length bytes
// of payload. A run is one connection: a fresh OpusDecoder (and, for the client, a fresh
// JitterBuffer) sees the payloads in order, so the fuzzer can drive the decoder state.
//   mode bit 0 = 0, server (UplinkDecoder::audio, src/server/uplink_decoder.cpp): decode the
//       AudioUp fixed part (a reject ends the connection); a silent frame is skipped; a
//       sequence gap of exactly one frame is first recovered with decode_fec(); then
//       decode(). The control byte is unused.
//   mode bit 0 = 1, client (Client -> Voice::receive / Voice::play, src/client/voice.cpp):
//       decode the AudioDown fixed part (a reject is ignored), advance the receiver's clock
//       by (control >> 2) ms, JitterBuffer::push(seq, capture_us, opus, now), then
//       (control & 3) pulls 20 ms apart, each handing the OpusDecoder what the pull says:
//       decode, decode_fec, conceal or nothing.
// Checked: every decode writes 960 finite samples into a 960-sample buffer framed by guard
// bytes (libopus is not instrumented, so ASan alone would miss an overrun; a NaN or infinity
// would poison every listener's mix),
// and the jitter buffer's pulls are consistent (a packet to decode is non-empty and at most
// kMaxPacketBytes long, its depth stays within its 64 slots).
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <span>

#include "fuzz_common.h"
#include "media/audio/audio_format.h"
#include "media/audio/jitter_buffer.h"
#include "media/audio/opus_codec.h"
#include "net/protocol.h"

namespace net = ttycall::net;
namespace audio = ttycall::media::audio;
using ttycall::fuzz::ExactCopy;

namespace {

using Bytes = std::span<const uint8_t>;

class Frame {
 public:
  std::span<float> span() {
    return {reinterpret_cast<float*>(samples_.data()), size_t(audio::kFrameSamples)};
  }
  // Arms the guards around the frame and marks every sample (NaN), so a decode that
  // leaves any sample unwritten, writes NaN, or writes past the frame is caught.
  void poison() {
    samples_ = buffer_.arm(sizeof(float) * audio::kFrameSamples);
    std::fill_n(span().begin(), audio::kFrameSamples, std::nanf(""));
  }
  void check() {
    FUZZ_CHECK(buffer_.intact());
    for (const float sample : span()) FUZZ_CHECK(std::isfinite(sample));
  }

 private:
  ttycall::fuzz::GuardedBuffer buffer_{sizeof(float) * audio::kFrameSamples};
  std::span<uint8_t> samples_ = buffer_.arm(sizeof(float) * audio::kFrameSamples);
};

struct Record {
  uint8_t control = 0;
  Bytes payload;
};

// Splits off the next record; false when the input is used up (a truncated record ends it).
bool next_record(Bytes& in, Record& record) {
  if (in.size() < 3) return false;
  const size_t length = size_t(in[1]) | size_t(in[2]) << 8;
  if (in.size() - 3 < length) return false;
  record.control = in[0];
  record.payload = in.subspan(3, length);
  in = in.subspan(3 + length);
  return true;
}

void run_server(Bytes in) {
  audio::OpusDecoder decoder;
  FUZZ_CHECK(decoder.ok());
  Frame frame;
  bool have_seq = false;
  uint32_t last_seq = 0;
  Record record;
  while (next_record(in, record)) {
    const ExactCopy payload(record.payload);
    net::AudioUpHeader up;
    Bytes opus;
    if (!net::decode(payload.span(), up, opus)) return;  // protocol error: closed
    if ((up.flags & net::kAudioSilent) != 0) {
      have_seq = false;
      continue;
    }
    if (have_seq && up.seq - last_seq == 2) {
      frame.poison();
      const bool ok = decoder.decode_fec(opus, frame.span());
      FUZZ_TRACE("AudioUp seq %u: decode_fec %s\n", up.seq - 1, ok ? "ok" : "concealed");
      frame.check();
    }
    have_seq = true;
    last_seq = up.seq;
    frame.poison();
    const bool ok = decoder.decode(opus, frame.span());
    FUZZ_TRACE("AudioUp seq %u: decode %s\n", up.seq, ok ? "ok" : "concealed");
    frame.check();
  }
}

void run_client(Bytes in) {
  audio::OpusDecoder decoder;
  FUZZ_CHECK(decoder.ok());
  audio::JitterBuffer jitter;
  Frame frame;
  uint64_t now_us = 1'000'000;
  Record record;
  while (next_record(in, record)) {
    const ExactCopy payload(record.payload);
    net::AudioDownHeader down;
    Bytes opus;
    if (net::decode(payload.span(), down, opus)) {
      now_us += uint64_t(record.control >> 2) * 1000;
      const auto pushed = jitter.push(down.seq, down.capture_us, opus, now_us);
      FUZZ_TRACE("AudioDown seq %u at %llu ms: push -> %d\n", down.seq,
                 (unsigned long long)(now_us / 1000), int(pushed));
    }
    for (int i = 0; i < (record.control & 3); ++i) {
      now_us += 20'000;
      const audio::JitterBuffer::Pull pull = jitter.pull(now_us);
      FUZZ_CHECK(jitter.buffered_frames() >= 0 &&
                 jitter.buffered_frames() <= audio::JitterBuffer::kSlots);
      frame.poison();
      switch (pull.action) {
        case audio::JitterBuffer::Action::kNone:
          std::fill_n(frame.span().begin(), audio::kFrameSamples, 0.0f);
          break;
        case audio::JitterBuffer::Action::kDecode:
          FUZZ_CHECK(!pull.packet.empty() && pull.packet.size() <= audio::kMaxPacketBytes);
          (void)decoder.decode(pull.packet, frame.span());
          break;
        case audio::JitterBuffer::Action::kDecodeFec:
          FUZZ_CHECK(!pull.packet.empty() && pull.packet.size() <= audio::kMaxPacketBytes);
          (void)decoder.decode_fec(pull.packet, frame.span());
          break;
        case audio::JitterBuffer::Action::kConceal:
          decoder.conceal(frame.span());
          break;
      }
      FUZZ_TRACE("  pull seq %u: action %d\n", pull.seq, int(pull.action));
      frame.check();
    }
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  const Bytes in(data + 1, size - 1);
  if ((data[0] & 1) == 0) {
    run_server(in);
  } else {
    run_client(in);
  }
  return 0;
}
