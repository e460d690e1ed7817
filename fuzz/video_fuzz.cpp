// video_fuzz: the frame decoders behind VideoUp (server) and VideoDown (client).
//
// Input: one mode byte, then a payload (no packet header; packet_fuzz covers framing).
//   mode bit 0 = 0: a VideoUp payload, down UplinkDecoder::video (src/server/uplink_decoder.cpp):
//       decode the fixed part -> jpeg_markers::is_baseline (the rate limit before it needs
//       time, not bytes, and is left out) -> JpegDecoder::read_info -> the server's checks (the
//       JPEG's size equals the announced size, width x height x 3 fits the decoded-frame buffer of
//       the default 640 x 480 limit) -> JpegDecoder::decode into that buffer. The output
//       span of width x height x 3 bytes is framed by guard bytes (fuzz_common.h): libjpeg
//       is not instrumented, so ASan alone would miss its overrun of our buffer.
//   mode bit 0 = 1: a VideoDown payload, down VideoReceiver::receive
//       (src/client/video_receiver.cpp): decode the fixed part, sources and labels -> the
//       JPEG tables of the header's quality, made once, checked by their hash and put back
//       in front of the picture (media/jpeg_tables.h) -> jpeg_markers::is_baseline ->
//       JpegDecoder::read_info -> the
//       client's check that the picture is exactly
//       cols x rows*2 pixels -> JpegDecoder::decode into a buffer of cols x rows*2 x 3
//       bytes (at most 1000 x 1000 x 3), framed by guard bytes. The labels are then laid
//       out by media::draw_label, which this target does not link: what it may assume
//       (each label inside the view, one row, a known style, a name of 1-32 bytes) is
//       checked here, and draw_label's own handling of names (code points, display width,
//       centring) is covered by its unit tests.
// Coverage: libjpeg-turbo gives the fuzzer no coverage feedback (it is Debian's build), so
// the message libjpeg leaves for an input (which error or warning stopped it, its code) is
// fed to libFuzzer as an extra counter: inputs that reach new error paths are kept.
// One decoder of each kind lives for the whole run, as one does per session / client.
#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string_view>
#include <vector>

#include "core/alloc_accounting.h"
#include "fuzz_common.h"
#include "media/jpeg_codec.h"
#include "media/jpeg_markers.h"
#include "media/jpeg_tables.h"
#include "net/protocol.h"

namespace net = ttycall::net;
namespace media = ttycall::media;
using ttycall::fuzz::ExactCopy;
using ttycall::fuzz::GuardedBuffer;

namespace {

using Bytes = std::span<const uint8_t>;

// ServerOptions' defaults: the server never decodes a camera frame larger than this.
constexpr size_t kDecodedFrameBytes = size_t(640) * 480 * 3;
// The largest view picture a client decodes: kMaxTerminalCols x kMaxTerminalRows*2, RGB.
constexpr size_t kMaxPictureBytes = size_t(net::kMaxTerminalCols) * net::kMaxTerminalRows * 2 * 3;

struct State {
  media::JpegDecoder jpeg;          // the session's
  media::JpegDecoder picture_jpeg;  // the client's VideoReceiver's
  GuardedBuffer decoded{kDecodedFrameBytes};
  GuardedBuffer picture{kMaxPictureBytes};
  net::VideoDownHeader down;                // 3.4 KiB: kept off the stack, as the client keeps it
  std::optional<media::JpegTables> tables;  // of the last quality seen, as the client's
  std::vector<uint8_t> whole;               // the picture with its tables back
};

const ttycall::core::AllocSite& tables_site() {
  static const ttycall::core::AllocSite site("fuzz.tables");
  return site;
}

State& state() {
  static State* s = new State;  // lives for the process (no destruction-order surprises)
  return *s;
}

// libFuzzer's extra counters: one byte per bucket, found by the linker section name.
constexpr size_t kOutcomeBuckets = 256;
__attribute__((used, section("__libfuzzer_extra_counters")))
uint8_t outcome_counters[kOutcomeBuckets];

// Counts which error or warning libjpeg ended on (each distinct one is a distinct path).
void count_outcome(int stage, bool ok, const media::JpegDecoder& decoder) {
  uint32_t h = 2166136261u ^ uint32_t(stage * 2 + ok);
  h = (h ^ uint32_t(decoder.last_message())) * 16777619u;
  ++outcome_counters[h % kOutcomeBuckets];
}

void video_up(Bytes payload) {
  State& s = state();
  net::VideoUpHeader up;
  Bytes jpeg;
  if (!net::decode(payload, up, jpeg)) return;          // protocol error: connection closed
  if (!media::jpeg_markers::is_baseline(jpeg)) return;  // frame rejected, connection kept
  media::JpegInfo info;
  const size_t needed = size_t(up.width) * up.height * 3;
  const bool have_info = s.jpeg.read_info(jpeg, info);
  count_outcome(0, have_info, s.jpeg);
  if (!have_info || info.width != up.width || info.height != up.height ||
      needed > kDecodedFrameBytes) {
    return;  // frame rejected, connection kept
  }
  FUZZ_CHECK(info.width >= 1 && info.width <= net::kMaxVideoWidth);
  FUZZ_CHECK(info.height >= 1 && info.height <= net::kMaxVideoHeight);
  const std::span<uint8_t> out = s.decoded.arm(needed);
  const bool decoded = s.jpeg.decode(jpeg, info, out);
  count_outcome(1, decoded, s.jpeg);
  FUZZ_CHECK(s.decoded.intact());
  FUZZ_TRACE("VideoUp %dx%d, %zu JPEG bytes: %s\n", info.width, info.height, jpeg.size(),
             decoded ? "decoded" : "rejected by the decoder");
  // A too-small buffer must be refused, not written past.
  FUZZ_CHECK(!s.jpeg.decode(jpeg, info, out.first(needed - 1)));
}

void video_down(Bytes payload) {
  State& s = state();
  net::VideoDownHeader& down = s.down;
  Bytes stripped;
  if (!net::decode(payload, down, stripped)) return;  // the client drops the frame
  FUZZ_CHECK(!stripped.empty() &&
             stripped.data() + stripped.size() == payload.data() + payload.size());
  FUZZ_CHECK(down.quality >= 1 && down.quality <= 100);
  if (!s.tables || s.tables->options().quality != down.quality) {
    s.tables.emplace(media::picture_jpeg_options(down.quality), tables_site());
  }
  if (s.tables->hash() != down.tables_hash) return;  // the client ends the call: other tables
  s.whole.resize(stripped.size() + s.tables->overhead());
  const size_t whole_size = s.tables->restore(stripped, s.whole);
  if (whole_size == 0) return;  // no SOI: dropped
  FUZZ_CHECK(whole_size == s.whole.size());
  const Bytes jpeg(s.whole.data(), whole_size);
  if (!media::jpeg_markers::is_baseline(jpeg)) return;  // dropped: not what servers encode
  // What draw_label is handed: every label on one row of this view, at least one cell
  // wide, within its columns, with a known style.
  for (size_t i = 0; i < down.label_count; ++i) {
    const net::FrameLabel& label = down.labels[i];
    FUZZ_CHECK(label.row < down.rows && label.width >= 1);
    FUZZ_CHECK(size_t(label.col) + label.width <= down.cols);
    FUZZ_CHECK(label.style <= net::kLabelSpeaking);
    FUZZ_CHECK(label.name.len >= 1 && label.name.len <= net::kMaxNameBytes);
  }
  // VideoReceiver::decode_picture: the JPEG must be exactly the view's grid in pixels.
  const int width = down.cols;
  const int height = down.rows * 2;
  media::JpegInfo info;
  const bool have_info = s.picture_jpeg.read_info(jpeg, info);
  count_outcome(2, have_info, s.picture_jpeg);
  if (!have_info || info.width != width || info.height != height) return;  // dropped
  const size_t needed = size_t(width) * height * 3;
  FUZZ_CHECK(needed <= kMaxPictureBytes);
  const std::span<uint8_t> out = s.picture.arm(needed);
  const bool decoded = s.picture_jpeg.decode(jpeg, info, out);
  count_outcome(3, decoded, s.picture_jpeg);
  FUZZ_CHECK(s.picture.intact());
  FUZZ_TRACE("VideoDown %dx%d (%dx%d px), %u sources, %u labels, %zu JPEG bytes: %s\n", down.cols,
             down.rows, width, height, unsigned(down.source_count), unsigned(down.label_count),
             jpeg.size(), decoded ? "decoded" : "rejected");
  // A too-small buffer must be refused, not written past.
  FUZZ_CHECK(!s.picture_jpeg.decode(jpeg, info, out.first(needed - 1)));
  FUZZ_CHECK(s.picture.intact());
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
