// video_fuzz: the frame decoders behind VideoUp (server) and VideoDown (client).
//
// Input: one mode byte, then a payload (no packet header; packet_fuzz covers framing).
//   mode bit 0 = 0: a VideoUp payload, down UplinkDecoder::video (src/server/uplink_decoder.cpp):
//       decode the fixed part -> JpegDecoder::read_info -> the server's checks (the JPEG's
//       size equals the announced size, width x height x 3 fits the decoded-frame buffer of
//       the default 640 x 480 limit) -> JpegDecoder::decode into that buffer. The output
//       span of width x height x 3 bytes is framed by guard bytes (fuzz_common.h): libjpeg
//       is not instrumented, so ASan alone would miss its overrun of our buffer.
//   mode bit 0 = 1: a VideoDown payload, down Client::handle_video (src/client/client.cpp):
//       decode the fixed part -> FrameDecompressor::decompress into a buffer of raw_size
//       bytes (capped at 4 MiB here, so a 32 MiB claim does not slow every run; the
//       client's buffer is raw_size), framed by guard bytes. The result must fit the
//       buffer; a frame that decompresses to exactly raw_size is compressed again and must
//       round-trip.
// Coverage: libjpeg-turbo gives the fuzzer no coverage feedback (it is Debian's build), so
// the message libjpeg leaves for an input (which error or warning stopped it, hashed) is
// fed to libFuzzer as an extra counter: inputs that reach new error paths are kept.
// One decoder of each kind lives for the whole run, as one does per session / client.
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <span>
#include <string_view>

#include <turbojpeg.h>

#include "fuzz_common.h"
#include "media/jpeg_codec.h"
#include "media/zstd_codec.h"
#include "net/protocol.h"

namespace net = ttycall::net;
namespace media = ttycall::media;
using ttycall::fuzz::ExactCopy;
using ttycall::fuzz::GuardedBuffer;

namespace {

using Bytes = std::span<const uint8_t>;

// ServerOptions' defaults: the server never decodes a camera frame larger than this.
constexpr size_t kDecodedFrameBytes = size_t(640) * 480 * 3;
constexpr size_t kMaxFuzzRawBytes = size_t(4) << 20;

struct State {
  media::JpegDecoder jpeg;
  media::FrameDecompressor zstd;
  media::FrameCompressor recompress{1};
  GuardedBuffer decoded{kDecodedFrameBytes};
  GuardedBuffer raw{kMaxFuzzRawBytes};
  GuardedBuffer again{kMaxFuzzRawBytes};
  uint8_t* scratch = static_cast<uint8_t*>(std::malloc(kMaxFuzzRawBytes + (64 << 10)));
};

State& state() {
  static State* s = new State;  // lives for the process (no destruction-order surprises)
  return *s;
}

// libFuzzer's extra counters: one byte per bucket, found by the linker section name.
constexpr size_t kOutcomeBuckets = 256;
__attribute__((used, section("__libfuzzer_extra_counters")))
uint8_t outcome_counters[kOutcomeBuckets];

// Counts which error stopped libjpeg (each distinct error is a distinct path). The message
// is read only after a failure: after a success it would be the stale one of an earlier input.
void count_outcome(int stage, bool ok) {
  uint32_t h = 2166136261u ^ uint32_t(stage * 2 + ok);
  for (const char* p = ok ? "" : tjGetErrorStr(); p != nullptr && *p != '\0'; ++p) {
    h = (h ^ uint8_t(*p)) * 16777619u;
  }
  ++outcome_counters[h % kOutcomeBuckets];
}

void video_up(Bytes payload) {
  State& s = state();
  net::VideoUpHeader up;
  Bytes jpeg;
  if (!net::decode(payload, up, jpeg)) return;  // protocol error: connection closed
  media::JpegInfo info;
  const size_t needed = size_t(up.width) * up.height * 3;
  const bool have_info = s.jpeg.read_info(jpeg, info);
  count_outcome(0, have_info);
  if (!have_info || info.width != up.width || info.height != up.height ||
      needed > kDecodedFrameBytes) {
    return;  // frame rejected, connection kept
  }
  FUZZ_CHECK(info.width >= 1 && info.width <= net::kMaxVideoWidth);
  FUZZ_CHECK(info.height >= 1 && info.height <= net::kMaxVideoHeight);
  const std::span<uint8_t> out = s.decoded.arm(needed);
  const bool decoded = s.jpeg.decode(jpeg, info, out);
  count_outcome(1, decoded);
  FUZZ_CHECK(s.decoded.intact());
  FUZZ_TRACE("VideoUp %dx%d, %zu JPEG bytes: %s\n", info.width, info.height, jpeg.size(),
             decoded ? "decoded" : "rejected by the decoder");
  // A too-small buffer must be refused, not written past.
  FUZZ_CHECK(!s.jpeg.decode(jpeg, info, out.first(needed - 1)));
}

void video_down(Bytes payload) {
  State& s = state();
  net::VideoDownHeader down;
  Bytes compressed;
  if (!net::decode(payload, down, compressed)) return;
  const size_t capacity = std::min<size_t>(down.raw_size, kMaxFuzzRawBytes);
  const std::span<uint8_t> dst = s.raw.arm(capacity);
  const size_t n = s.zstd.decompress(compressed, dst);
  FUZZ_CHECK(n <= capacity);
  FUZZ_CHECK(s.raw.intact());
  FUZZ_TRACE("VideoDown raw_size %u, %zu zstd bytes: %zu bytes out\n", down.raw_size,
             compressed.size(), n);
  if (n != down.raw_size) return;  // the client drops the frame
  const size_t c =
      s.recompress.compress({dst.data(), n}, {s.scratch, media::FrameCompressor::bound(n)});
  FUZZ_CHECK(c > 0 && c <= media::FrameCompressor::bound(n));
  const std::span<uint8_t> again = s.again.arm(n);
  const size_t back = s.zstd.decompress({s.scratch, c}, again);
  FUZZ_CHECK(s.again.intact());
  FUZZ_CHECK(back == n && std::memcmp(again.data(), dst.data(), n) == 0);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  const ExactCopy payload(Bytes(data + 1, size - 1));
  if ((data[0] & 1) == 0) {
    video_up(payload.span());
  } else {
    video_down(payload.span());
  }
  return 0;
}
