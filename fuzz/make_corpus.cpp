// Writes the seed corpus of the fuzz targets: small, valid inputs made with the product's
// own encoders (JPEG, Opus, the protocol codecs), so each fuzzer starts from packets
// that get all the way through its decoders. Not a fuzzer itself.
//
//   build-fuzz/fuzz/make_corpus fuzz/corpus      (writes fuzz/corpus/<target>/seed-*)
//
// The layouts of the inputs are described at the top of each *_fuzz.cpp.
#include <turbojpeg.h>

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <span>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "core/alloc_accounting.h"
#include "media/audio/audio_format.h"
#include "media/audio/opus_codec.h"
#include "media/jpeg_codec.h"
#include "media/jpeg_tables.h"
#include "net/key_exchange.h"
#include "net/keys.h"
#include "net/protocol.h"
#include "net/secure_channel.h"

namespace net = ttycall::net;
namespace media = ttycall::media;
namespace audio = ttycall::media::audio;
namespace fs = std::filesystem;

namespace {

using Buffer = std::vector<uint8_t>;

void append(Buffer& out, std::span<const uint8_t> bytes) {
  out.insert(out.end(), bytes.begin(), bytes.end());
}

template <class Msg>
Buffer payload_of(const Msg& msg) {
  std::array<uint8_t, 4096> out;
  const size_t n = net::encode(msg, out);
  if (n == 0) throw std::runtime_error("encode failed");
  return Buffer(out.begin(), out.begin() + n);
}

// Header + payload, with the right CRC.
Buffer packet(net::MsgType type, const Buffer& payload) {
  Buffer out(net::kHeaderSize);
  net::write_header(type, payload,
                    std::span<uint8_t, net::kHeaderSize>(out.data(), net::kHeaderSize));
  append(out, payload);
  return out;
}

Buffer body_payload(const Buffer& fixed, const Buffer& body) {
  Buffer out = fixed;
  append(out, body);
  return out;
}

Buffer test_image(int width, int height) {
  Buffer rgb(size_t(width) * height * 3);
  for (int y = 0; y < height; ++y) {
    for (int x = 0; x < width; ++x) {
      uint8_t* p = &rgb[(size_t(y) * width + x) * 3];
      p[0] = uint8_t(x * 255 / std::max(1, width - 1));
      p[1] = uint8_t(y * 255 / std::max(1, height - 1));
      p[2] = uint8_t((x + y) * 8);
    }
  }
  return rgb;
}

// The pictures of VideoDown, as the server makes them: 4:4:4, their tables left out.
constexpr int kPictureQuality = 55;  // server::kPictureQuality

Buffer stripped_picture(int width, int height) {
  const Buffer rgb = test_image(width, height);
  media::JpegEncoder encoder(media::picture_jpeg_options(kPictureQuality));
  Buffer out(media::JpegEncoder::max_size(width, height, media::ChromaSubsampling::k444));
  out.resize(encoder.encode({rgb.data(), width, height, width * 3}, out));
  const media::StrippedJpeg stripped = media::strip_tables(out, out);
  if (stripped.size == 0) throw std::runtime_error("jpeg encode failed");
  out.resize(stripped.size);
  return out;
}

uint32_t picture_tables_hash() {
  static const ttycall::core::AllocSite site("corpus.tables");
  return media::JpegTables(media::picture_jpeg_options(kPictureQuality), site).hash();
}

Buffer jpeg_baseline(int width, int height) {
  const Buffer rgb = test_image(width, height);
  media::JpegEncoder encoder(60);
  Buffer out(media::JpegEncoder::max_size(width, height));
  const size_t n = encoder.encode({rgb.data(), width, height, width * 3}, out);
  if (n == 0) throw std::runtime_error("jpeg encode failed");
  out.resize(n);
  return out;
}

// JPEGs JpegEncoder (baseline 4:2:0) does not make, straight through libturbojpeg: the
// 4:4:4 pictures of VideoDown, and progressive or greyscale ones (which the client never
// sends, but a hostile one may).
Buffer jpeg_variant(int width, int height, int subsampling, int flags) {
  const Buffer rgb = test_image(width, height);
  tjhandle handle = tjInitCompress();
  Buffer out(tjBufSize(width, height, subsampling));
  unsigned char* dst = out.data();
  unsigned long size = out.size();
  const int rc = tjCompress2(handle, rgb.data(), width, width * 3, height, TJPF_RGB, &dst, &size,
                             subsampling, 50, flags | TJFLAG_NOREALLOC);
  tjDestroy(handle);
  if (rc != 0) throw std::runtime_error("tjCompress2 failed");
  out.resize(size);
  return out;
}

// A progressive JPEG followed by `extra` copies of its last scan's header, each with two
// bytes of entropy data: the shape of the "many scans" CPU exhaustion (a 1 MiB VideoUp of
// ~80 000 such scans over 640 x 480 took the server's decoder 4.3 s before JpegDecoder set
// TJFLAG_LIMITSCANS; now anything above 500 scans is refused). Kept small here: the seed
// only has to reach libjpeg's scan-limit error.
Buffer jpeg_many_scans(const Buffer& progressive, int extra) {
  size_t last_sos = 0;
  for (size_t i = 2; i + 1 < progressive.size(); ++i) {
    if (progressive[i] == 0xFF && progressive[i + 1] == 0xDA) last_sos = i;
  }
  if (last_sos == 0) throw std::runtime_error("no scan in the progressive JPEG");
  const size_t header = 2 + (size_t(progressive[last_sos + 2]) << 8 | progressive[last_sos + 3]);
  Buffer scan(progressive.begin() + long(last_sos), progressive.begin() + long(last_sos + header));
  scan.push_back(0x00);
  scan.push_back(0x00);
  Buffer out(progressive.begin(), progressive.end() - 2);  // without the EOI
  for (int i = 0; i < extra; ++i) append(out, scan);
  out.push_back(0xFF);
  out.push_back(0xD9);
  return out;
}

Buffer video_up(uint32_t seq, int width, int height, const Buffer& jpeg) {
  net::VideoUpHeader up{seq, 1'700'000'000'000'000ull + seq * 33'333ull, uint16_t(width),
                        uint16_t(height)};
  return body_payload(payload_of(up), jpeg);
}

// A VideoDown of a cols x rows view: `sources` sources, one label and one tile per name
// (tiles side by side, labels on the bottom row, the first one speaking), then `picture`.
Buffer video_down(uint32_t frame, uint16_t cols, uint16_t rows, int sources,
                  std::initializer_list<std::string_view> names, const Buffer& picture) {
  net::VideoDownHeader down;
  down.frame_number = frame;
  down.cols = cols;
  down.rows = rows;
  down.quality = uint8_t(kPictureQuality);
  down.tables_hash = picture_tables_hash();
  down.source_count = uint8_t(sources);
  for (int i = 0; i < sources; ++i) down.sources[i] = {uint32_t(i + 1), 1'700'000'000'000'000ull};
  const int width = names.size() == 0 ? cols : cols / int(names.size());
  for (std::string_view name : names) {
    net::FrameLabel& label = down.labels[down.label_count];
    label.col = uint16_t(down.label_count * width);
    label.row = uint16_t(rows - 1);
    label.width = uint16_t(width);
    label.style = down.label_count == 0 ? net::kLabelSpeaking : net::kLabelPlain;
    label.name = net::Name::from(name);
    // Its tile: the whole height, one column of gutter on the right (the picture is of the
    // tiles only).
    down.tiles[down.tile_count++] = {label.col, 0, uint16_t(std::max(width - 1, 1)), rows};
    ++down.label_count;
  }
  return body_payload(payload_of(down), picture);
}

// Opus packets of a 20 ms-framed voice-like signal (a 220 Hz tone with a few harmonics and
// a syllable-like envelope), from the product's encoder: VOIP mode with in-band FEC.
std::vector<Buffer> opus_packets(int count) {
  audio::OpusEncoder encoder;
  std::vector<Buffer> packets;
  std::array<float, audio::kFrameSamples> frame;
  for (int f = 0; f < count; ++f) {
    for (int i = 0; i < audio::kFrameSamples; ++i) {
      const double t = double(f * audio::kFrameSamples + i) / audio::kSampleRate;
      const double envelope = 0.5 + 0.5 * std::sin(2 * M_PI * 3 * t);
      frame[i] = float(0.3 * envelope *
                       (std::sin(2 * M_PI * 220 * t) + 0.5 * std::sin(2 * M_PI * 440 * t) +
                        0.25 * std::sin(2 * M_PI * 660 * t)));
    }
    Buffer out(audio::kMaxOpusPacketBytes);
    const size_t n = encoder.encode(frame, out);
    if (n == 0) throw std::runtime_error("opus encode failed");
    out.resize(n);
    packets.push_back(std::move(out));
  }
  return packets;
}

Buffer audio_up(uint32_t seq, uint8_t flags, const Buffer& opus) {
  net::AudioUpHeader up{seq, 1'700'000'000'000'000ull + seq * 20'000ull, flags};
  return body_payload(payload_of(up), opus);
}

Buffer audio_down(uint32_t seq, std::initializer_list<uint32_t> speakers, const Buffer& opus) {
  net::AudioDownHeader down;
  down.seq = seq;
  down.capture_us = 1'700'000'000'000'000ull + seq * 20'000ull;
  for (uint32_t id : speakers) down.speakers[down.speaker_count++] = id;
  return body_payload(payload_of(down), opus);
}

// audio_fuzz record: control | u16 length | payload
void append_record(Buffer& out, uint8_t control, const Buffer& payload) {
  out.push_back(control);
  out.push_back(uint8_t(payload.size()));
  out.push_back(uint8_t(payload.size() >> 8));
  append(out, payload);
}

net::Hello hello(std::string_view name, uint16_t cols = 120, uint16_t rows = 40) {
  net::Hello h;
  h.cols = cols;
  h.rows = rows;
  h.name = net::Name::from(name);
  return h;
}

class Writer {
 public:
  explicit Writer(fs::path root) : root_(std::move(root)) {}
  void write(const std::string& target, const std::string& name, const Buffer& bytes) {
    const fs::path dir = root_ / target;
    fs::create_directories(dir);
    std::ofstream(dir / ("seed-" + name), std::ios::binary)
        .write(reinterpret_cast<const char*>(bytes.data()), std::streamsize(bytes.size()));
    std::printf("%-16s %-28s %6zu bytes\n", target.c_str(), name.c_str(), bytes.size());
  }

 private:
  fs::path root_;
};

Buffer with_mode(uint8_t mode, const Buffer& rest) {
  Buffer out{mode};
  append(out, rest);
  return out;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 2) {
    std::fprintf(stderr, "usage: %s CORPUS_DIR\n", argv[0]);
    return 2;
  }
  Writer w(argv[1]);

  const Buffer jpeg16 = jpeg_baseline(16, 16);
  const Buffer jpeg_progressive = jpeg_variant(24, 8, TJSAMP_444, TJFLAG_PROGRESSIVE);
  const Buffer jpeg_gray = jpeg_variant(8, 8, TJSAMP_GRAY, 0);
  const std::vector<Buffer> opus = opus_packets(6);
  // Pictures as the server sends them: baseline 4:4:4, the view's cols x rows*2 pixels.
  const Buffer picture_20x4 = stripped_picture(20, 8);
  const Buffer picture_8x3 = stripped_picture(8, 6);
  const Buffer picture_16x16 = stripped_picture(16, 16);

  // ---- packet_fuzz: mode byte + a stream of packets --------------------------------------
  {
    Buffer client;
    net::Hello alice = hello("alice");
    alice.room = net::Name::from("ops");
    append(client, packet(net::MsgType::kHello, payload_of(alice)));
    append(client, packet(net::MsgType::kListRooms, payload_of(net::ListRooms{})));
    append(client, packet(net::MsgType::kResize, payload_of(net::Resize{100, 30})));
    append(client, packet(net::MsgType::kResize,
                          payload_of(net::Resize{100, 30, net::ViewLayout::kFocus, 2})));
    append(client, packet(net::MsgType::kResize,
                          payload_of(net::Resize{100, 30, net::ViewLayout::kGrid, 0, 9})));
    append(client, packet(net::MsgType::kPing, payload_of(net::Ping{123456789})));
    append(client, packet(net::MsgType::kPong, payload_of(net::Ping{987654321})));
    append(client, packet(net::MsgType::kVideoUp, video_up(1, 16, 16, jpeg16)));
    append(client, packet(net::MsgType::kAudioUp, audio_up(1, 0, opus[0])));
    append(client,
           packet(net::MsgType::kBye, payload_of(net::Bye::make(net::ByeReason::kNormal, "bye"))));
    w.write("packet_fuzz", "client-stream", with_mode(0, client));

    net::Participants list;
    list.total = 300;  // a big room: the list holds the first of them
    list.count = 2;
    list.list[0] = {1, uint8_t(net::kHasVideo | net::kSpeaking), net::Name::from("alice")};
    list.list[1] = {2, net::kMuted, net::Name::from("Zo\xc3\xab \xe5\xb1\xb1\xe7\x94\xb0")};
    Buffer server;
    append(server, packet(net::MsgType::kWelcome, payload_of(net::Welcome{1, 30})));
    append(server,
           packet(net::MsgType::kVideoRequest, payload_of(net::VideoRequest{320, 240, 30})));
    append(server, packet(net::MsgType::kParticipants, payload_of(list)));
    append(server,
           packet(net::MsgType::kJoined, payload_of(net::Joined{3, net::Name::from("bob")})));
    append(server, packet(net::MsgType::kLeft, payload_of(net::Left{3})));
    append(server, packet(net::MsgType::kVideoDown,
                          video_down(7, 20, 4, 2, {"alice", "Zo\xc3\xab"}, picture_20x4)));
    append(server, packet(net::MsgType::kAudioDown, audio_down(9, {1, 2}, opus[1])));
    net::RoomList rooms;
    rooms.total = 3;
    rooms.count = 2;
    rooms.rooms[0] = {4, net::Name::from("ops")};
    rooms.rooms[1] = {1, net::Name::from("\xc3\xa9quipe")};
    append(server, packet(net::MsgType::kRoomList, payload_of(rooms)));
    append(server, packet(net::MsgType::kBye,
                          payload_of(net::Bye::make(net::ByeReason::kNoSuchRoom, "no room 'x'"))));
    append(server,
           packet(net::MsgType::kBye,
                  payload_of(net::Bye::make(net::ByeReason::kShutdown, "the server is stopping"))));
    w.write("packet_fuzz", "server-stream", with_mode(0, server));

    // CRC-recompute mode: a wrong CRC that the fuzzer's mode 1 repairs.
    Buffer bad_crc = packet(net::MsgType::kHello, payload_of(hello("carol", 80, 24)));
    bad_crc[12] ^= 0xFF;
    w.write("packet_fuzz", "recompute-crc-hello", with_mode(1, bad_crc));
    w.write(
        "packet_fuzz", "recompute-crc-no-video",
        with_mode(1, packet(net::MsgType::kVideoRequest, payload_of(net::VideoRequest{0, 0, 0}))));
  }

  // ---- handshake_fuzz: a Hello payload / arbitrary text ---------------------------------
  {
    w.write("handshake_fuzz", "hello", payload_of(hello("alice")));
    w.write("handshake_fuzz", "hello-utf8",
            payload_of(hello("Zo\xc3\xab \xe5\xb1\xb1\xe7\x94\xb0 \xf0\x9f\x8e\xa5", 1000, 500)));
    net::Hello in_room = hello("erin", 80, 24);
    in_room.room = net::Name::from("stand-up");
    in_room.has_room_password = 1;
    in_room.room_proof.fill(0x5A);
    w.write("handshake_fuzz", "hello-room", payload_of(in_room));
    w.write("handshake_fuzz", "list-rooms", payload_of(net::ListRooms{}));
    net::Hello v4 = hello("dave", 1, 1);
    v4.protocol_version = 4;
    w.write("handshake_fuzz", "hello-version4", payload_of(v4));
    // A v2 client's Hello: the name is its end. Refused with kVersionMismatch.
    const Buffer v2 = {2, 0, 120, 0, 40, 0, 3, 'f', 'r', 'a'};
    w.write("handshake_fuzz", "hello-version2", v2);
    // A v1 client's Hello: version 1, render and colour mode bits, cols, rows, render,
    // colour, then the name. Refused with kVersionMismatch.
    const Buffer v1 = {1, 0, 0x03, 0x07, 120, 0, 40, 0, 1, 2, 3, 'e', 'v', 'e'};
    w.write("handshake_fuzz", "hello-version1", v1);
    const std::string_view texts[] = {
        "Alice\x1b[31mRed\x1b[0m",  // ESC sequences
        "x\xc2\x9b"
        "2J\x7f\xc0\xaf\xed\xa0\x80\xf4\x90\x80\x80\xe2\x82",  // C1, DEL, invalid
        "a-name-that-is-longer-than-thirty-two-bytes-\xe2\x82\xac\xe2\x82\xac",
    };
    int i = 0;
    for (std::string_view t : texts) {
      w.write("handshake_fuzz", "text-" + std::to_string(i++), Buffer(t.begin(), t.end()));
    }
  }

  // ---- secure_fuzz: key exchange payloads and sealed packets ----------------------------
  {
    const net::Identity server_identity = net::Identity::generate();
    net::ServerAuthConfig config;
    config.identity = server_identity;
    net::ServerKeyExchange server(config);
    net::ClientKeyExchange client;
    net::KeyWelcome welcome;
    net::SessionKeys keys;
    server.answer(client.hello(), welcome, keys);
    w.write("secure_fuzz", "key-hello", payload_of(client.hello()));
    w.write("secure_fuzz", "key-welcome", payload_of(welcome));
    net::SessionKeys client_keys;
    client.accept(welcome, client_keys);
    w.write("secure_fuzz", "auth",
            payload_of(client.make_auth(net::Identity::generate(), nullptr)));
    // A sealed Ping with the fuzzer's fixed keys (transmit key all 1s).
    net::SessionKeys fixed{};
    fixed.transmit.fill(1);
    net::SecureChannel channel;
    channel.enable(fixed);
    Buffer sealed = packet(net::MsgType::kPing, payload_of(net::Ping{42}));
    const size_t plain = sealed.size();
    sealed.resize(plain + net::kSealOverhead);
    sealed.resize(channel.seal(sealed, plain));
    w.write("secure_fuzz", "sealed-ping", sealed);
  }

  // ---- video_fuzz: mode byte + a VideoUp (0) or VideoDown (1) payload --------------------
  {
    w.write("video_fuzz", "up-baseline-16x16", with_mode(0, video_up(1, 16, 16, jpeg16)));
    w.write("video_fuzz", "up-progressive-24x8",
            with_mode(0, video_up(2, 24, 8, jpeg_progressive)));
    w.write("video_fuzz", "up-gray-8x8", with_mode(0, video_up(3, 8, 8, jpeg_gray)));
    const Buffer gray_progressive = jpeg_variant(8, 8, TJSAMP_GRAY, TJFLAG_PROGRESSIVE);
    w.write("video_fuzz", "finding-progressive-many-scans",
            with_mode(0, video_up(4, 8, 8, jpeg_many_scans(gray_progressive, 520))));
    w.write("video_fuzz", "down-frame",
            with_mode(1, video_down(1, 20, 4, 2, {"alice", "bob"}, picture_20x4)));
    w.write("video_fuzz", "down-no-labels", with_mode(1, video_down(2, 8, 3, 0, {}, picture_8x3)));
    // A picture that is not the view's size (16 x 16 for a 20 x 4 view): dropped.
    w.write("video_fuzz", "down-wrong-size",
            with_mode(1, video_down(3, 20, 4, 1, {"carol"}, picture_16x16)));
  }

  // ---- audio_fuzz: mode byte + records (control | u16 length | payload) -----------------
  {
    Buffer up;
    append_record(up, 0, audio_up(10, 0, opus[0]));
    append_record(up, 0, audio_up(11, 0, opus[1]));
    append_record(up, 0, audio_up(13, 0, opus[3]));  // 12 lost: FEC from 13
    append_record(up, 0, audio_up(14, net::kAudioSilent, opus[4]));
    append_record(up, 0, audio_up(15, 0, opus[5]));
    w.write("audio_fuzz", "server-stream", with_mode(0, up));

    // Client: 20 ms apart (control 20 << 2 | 1 pull), one packet late and out of order.
    Buffer down;
    append_record(down, 20 << 2 | 1, audio_down(100, {1}, opus[0]));
    append_record(down, 20 << 2 | 1, audio_down(101, {1}, opus[1]));
    append_record(down, 5 << 2 | 0, audio_down(103, {1, 2}, opus[3]));
    append_record(down, 30 << 2 | 2, audio_down(102, {2}, opus[2]));
    append_record(down, 20 << 2 | 1, audio_down(104, {}, opus[4]));
    append_record(down, 20 << 2 | 3, audio_down(105, {}, opus[5]));
    w.write("audio_fuzz", "client-stream", with_mode(1, down));
  }
  return 0;
}
