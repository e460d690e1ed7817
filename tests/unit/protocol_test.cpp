// Protocol v3: header validation, payload codecs, limits, and fuzz-style robustness. Every
// accepted payload must re-encode to exactly the same bytes (the encoding is canonical).
#include "net/protocol.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cstring>
#include <functional>
#include <random>
#include <string>
#include <type_traits>
#include <vector>

#include "net/byte_io.h"
#include "net/crc32c.h"

namespace ttycall::net {
namespace {

using Buf = std::vector<uint8_t>;

// Builds byte strings field by field, little-endian.
class Bytes {
 public:
  Bytes& u8(uint64_t v) { return put(v, 1); }
  Bytes& u16(uint64_t v) { return put(v, 2); }
  Bytes& u32(uint64_t v) { return put(v, 4); }
  Bytes& u64(uint64_t v) { return put(v, 8); }
  Bytes& str(std::string_view s) {
    buf_.insert(buf_.end(), s.begin(), s.end());
    return *this;
  }
  Bytes& raw(const Buf& b) {
    buf_.insert(buf_.end(), b.begin(), b.end());
    return *this;
  }
  Buf take() const { return buf_; }

 private:
  Bytes& put(uint64_t v, int n) {
    for (int i = 0; i < n; ++i) buf_.push_back(uint8_t(v >> (8 * i)));
    return *this;
  }
  Buf buf_;
};

Buf concat(Buf a, const Buf& b) {
  a.insert(a.end(), b.begin(), b.end());
  return a;
}

template <class Msg>
constexpr bool kHasBody =
    std::is_same_v<Msg, VideoUpHeader> || std::is_same_v<Msg, VideoDownHeader>;

template <class Msg>
Buf encode_vec(const Msg& msg) {
  Buf out(8192);
  out.resize(encode(msg, out));
  return out;
}

// Decodes `in` as Msg; when it is accepted, checks that re-encoding gives `in` back.
template <class Msg>
bool decode_checked(std::span<const uint8_t> in, Msg& out) {
  std::span<const uint8_t> rest;
  bool ok = false;
  if constexpr (kHasBody<Msg>) {
    ok = decode(in, out, rest);
  } else {
    ok = decode(in, out);
  }
  if (ok) {
    const Buf again = concat(encode_vec(out), Buf(rest.begin(), rest.end()));
    EXPECT_EQ(again, Buf(in.begin(), in.end())) << "accepted payload is not canonical";
  }
  return ok;
}

template <class Msg>
bool decodes(const Buf& in) {
  Msg m;
  return decode_checked(in, m);
}

template <class Msg>
bool encodes_and_decodes(const Msg& msg, const Buf& body = {}) {
  const Buf fixed = encode_vec(msg);
  if (fixed.empty()) return false;
  return decodes<Msg>(concat(fixed, body));
}

Name raw_name(std::string_view bytes) {
  Name n;
  n.len = uint8_t(std::min(bytes.size(), n.bytes.size()));
  std::memcpy(n.bytes.data(), bytes.data(), n.len);
  return n;
}

// ---- sample messages --------------------------------------------------------------------

Hello sample_hello() {
  Hello m;
  m.cols = 120;
  m.rows = 40;
  m.name = Name::from("Ana M\xC3\xBCller");
  return m;
}

Participants sample_participants(int count, std::string_view name_base = "p") {
  Participants m;
  m.count = uint16_t(count);
  for (int i = 0; i < count; ++i) {
    m.list[i].id = uint32_t(1000 + i);
    m.list[i].flags = uint8_t(i % 8);
    m.list[i].name = Name::from(std::string(name_base) + std::to_string(i));
  }
  return m;
}

Participants max_participants() {
  Participants m;
  m.total = 4096;
  m.count = kMaxListedParticipants;
  for (int i = 0; i < kMaxListedParticipants; ++i) {
    m.list[i].id = 0xFFFFFFF0u - uint32_t(i);
    m.list[i].flags = kHasVideo | kSpeaking | kMuted;
    m.list[i].name = Name::from(std::string(kMaxNameBytes, char('A' + i % 26)));
  }
  return m;
}

VideoUpHeader sample_video_up() {
  return {9, 1'700'000'000'123'456ull, 640, 360};
}
const Buf kJpeg = {0xFF, 0xD8, 0xFF, 0xE0, 0x00, 0x10, 0xFF, 0xD9};

// A 200 x 50 view with `sources` sources, `labels` labels and `tiles` tiles, of a 4-wide grid
// of 50 x 12 tiles, each label on its tile's bottom row; the second is the speaker.
VideoDownHeader sample_video_down(int sources = 2, int labels = 2, int tiles = 2) {
  VideoDownHeader m;
  m.frame_number = 77;
  m.cols = 200;
  m.rows = 50;
  m.quality = 65;
  m.tables_hash = 0x12345678;
  m.source_count = uint8_t(sources);
  for (int i = 0; i < sources; ++i) {
    m.sources[i] = {uint32_t(i + 1), 1'700'000'000'000'000ull + uint64_t(i) * 33'333};
  }
  m.label_count = uint8_t(labels);
  for (int i = 0; i < labels; ++i) {
    FrameLabel& label = m.labels[i];
    label.col = uint16_t(i % 4 * 50);
    label.row = uint16_t(std::min(i / 4 * 12 + 11, 49));
    label.width = 50;
    label.style = i == 1 ? kLabelSpeaking : kLabelPlain;
    label.name = Name::from("tile " + std::to_string(i));
  }
  m.tile_count = uint8_t(tiles);
  for (int i = 0; i < tiles; ++i) {
    m.tiles[i] = {uint16_t(i % 4 * 50), uint16_t(std::min(i / 4 * 12, 38)), 50, 12};
  }
  return m;
}

// The same view with kMaxLabels labels of the longest names.
VideoDownHeader max_video_down() {
  VideoDownHeader m = sample_video_down(kMaxFrameSources, kMaxLabels, kMaxFrameTiles);
  for (int i = 0; i < kMaxLabels; ++i) {
    m.labels[i].name = Name::from(std::string(kMaxNameBytes, char('a' + i % 26)));
  }
  return m;
}

// A VideoDown's fixed part by hand (frame 1, an 80x24 view, JPEG at q65), with these
// counts; the entries follow, or do not, as each test needs.
Bytes video_down_fixed(uint8_t sources, uint8_t labels, uint8_t tiles = 0) {
  return std::move(
      Bytes().u32(1).u16(80).u16(24).u8(1).u8(65).u32(0).u8(sources).u8(labels).u8(tiles));
}

// The wire size of a VideoDown's fixed part, sources, labels and tiles.
size_t video_down_size(const VideoDownHeader& m) {
  size_t n =
      kVideoDownFixedSize + m.source_count * kFrameSourceSize + m.tile_count * kFrameTileSize;
  for (int i = 0; i < m.label_count; ++i) n += kFrameLabelFixedSize + m.labels[i].name.len;
  return n;
}

RoomList sample_room_list(int count) {
  RoomList list;
  list.total = uint16_t(count + 2);  // two more rooms than listed
  list.count = uint16_t(count);
  for (int i = 0; i < count; ++i) {
    list.rooms[i] = {uint16_t(i + 1), Name::from("room " + std::to_string(i))};
  }
  return list;
}

RoomList max_room_list() {
  RoomList list;
  list.total = 0xFFFF;
  list.count = kMaxListedRooms;
  for (int i = 0; i < kMaxListedRooms; ++i) {
    std::string name(kMaxRoomNameBytes, 'a');
    name[0] = char('A' + i % 26);
    name[1] = char('A' + i / 26);
    list.rooms[i] = {0xFFFF, Name::from(name)};
  }
  return list;
}

// The picture is opaque to the codec: any non-empty bytes (the client decodes the JPEG).
const Buf kPicture = {0xFF, 0xD8, 0xFF, 0xDB, 0x00, 0x43, 0x00, 0xFF, 0xD9};

// One accepted payload of some type with everything the generic tests need.
struct Case {
  std::string name;
  MsgType type;
  Buf payload;
  size_t min_size;  // shortest accepted prefix: the whole payload, or fixed part + 1 byte
  bool exact;       // false for VideoUp/VideoDown, whose tail is opaque
  std::function<bool(std::span<const uint8_t>)> decoder;
  std::function<size_t(std::span<uint8_t>)> encoder;  // encodes the sample (its fixed part)
};

template <class Msg>
Case make_case(std::string name, MsgType type, const Msg& msg, const Buf& body = {}) {
  const Buf fixed = encode_vec(msg);
  Case c{std::move(name), type, concat(fixed, body), 0, !kHasBody<Msg>, nullptr, nullptr};
  c.min_size = kHasBody<Msg> ? fixed.size() + 1 : c.payload.size();
  c.decoder = [](std::span<const uint8_t> in) {
    Msg m;
    return decode_checked(in, m);
  };
  c.encoder = [msg](std::span<uint8_t> out) { return encode(msg, out); };
  return c;
}

std::vector<Case> all_cases() {
  std::vector<Case> c;
  c.push_back(make_case("Hello", MsgType::kHello, sample_hello()));
  Hello big_hello = sample_hello();
  big_hello.name = Name::from(std::string(40, 'n'));
  c.push_back(make_case("Hello/max name", MsgType::kHello, big_hello));
  Hello room_hello = big_hello;
  room_hello.room = Name::from(std::string(32, 'r'));
  room_hello.has_room_password = 1;
  room_hello.room_proof.fill(0xA5);
  c.push_back(make_case("Hello/max room, with proof", MsgType::kHello, room_hello));
  c.push_back(make_case("ListRooms", MsgType::kListRooms, ListRooms{}));
  c.push_back(make_case("RoomList", MsgType::kRoomList, sample_room_list(3)));
  c.push_back(make_case("RoomList/empty", MsgType::kRoomList, sample_room_list(0)));
  c.push_back(make_case("RoomList/max", MsgType::kRoomList, max_room_list()));
  c.push_back(make_case("Welcome", MsgType::kWelcome, Welcome{7, 30}));
  c.push_back(make_case("Participants", MsgType::kParticipants, sample_participants(3)));
  c.push_back(make_case("Participants/empty", MsgType::kParticipants, sample_participants(0)));
  c.push_back(make_case("Participants/max", MsgType::kParticipants, max_participants()));
  c.push_back(make_case("Joined", MsgType::kJoined, Joined{42, Name::from("Bob")}));
  c.push_back(make_case("Joined/max name", MsgType::kJoined,
                        Joined{0xFFFFFFFFu, Name::from(std::string(32, 'j'))}));
  c.push_back(make_case("Left", MsgType::kLeft, Left{42}));
  c.push_back(make_case("Resize", MsgType::kResize, Resize{200, 60}));
  c.push_back(make_case("Resize/focus, pinned", MsgType::kResize,
                        Resize{1000, 500, ViewLayout::kFocus, 0xFFFFFFFFu}));
  c.push_back(
      make_case("Resize/focus, speaker", MsgType::kResize, Resize{1, 1, ViewLayout::kFocus, 0}));
  c.push_back(
      make_case("Resize/gallery", MsgType::kResize, Resize{80, 24, ViewLayout::kGrid, 0, 9}));
  c.push_back(make_case("MediaState", MsgType::kMediaState, MediaState{kMediaVideoOff}));
  c.push_back(make_case("Ping", MsgType::kPing, Ping{0x0102030405060708ull}));
  c.push_back(make_case("Pong", MsgType::kPong, Ping{0xFFFFFFFFFFFFFFFFull}));
  c.push_back(make_case("Bye", MsgType::kBye, Bye::make(ByeReason::kServerFull, "room is full")));
  c.push_back(make_case("Bye/no text", MsgType::kBye, Bye::make(ByeReason::kNormal, "")));
  c.push_back(make_case("Bye/max text", MsgType::kBye,
                        Bye::make(ByeReason::kShutdown, std::string(200, 't'))));
  c.push_back(make_case("VideoRequest", MsgType::kVideoRequest, VideoRequest{640, 360, 30}));
  c.push_back(make_case("VideoRequest/none", MsgType::kVideoRequest, VideoRequest{0, 0, 0}));
  c.push_back(make_case("VideoUp", MsgType::kVideoUp, sample_video_up(), kJpeg));
  c.push_back(make_case("VideoDown", MsgType::kVideoDown, sample_video_down(), kPicture));
  c.push_back(make_case("VideoDown/no sources, no labels", MsgType::kVideoDown,
                        sample_video_down(0, 0), kPicture));
  c.push_back(make_case("VideoDown/max sources and labels", MsgType::kVideoDown, max_video_down(),
                        kPicture));
  return c;
}

// ---- ByteWriter / ByteReader ------------------------------------------------------------

TEST(ByteIo, WritesLittleEndian) {
  std::array<uint8_t, 15> buf{};
  ByteWriter w(buf);
  w.u8(0x01);
  w.u16(0x0302);
  w.u32(0x07060504);
  w.u64(0x0F0E0D0C0B0A0908ull);
  ASSERT_TRUE(w.ok());
  EXPECT_EQ(w.size(), 15u);
  for (size_t i = 0; i < buf.size(); ++i) EXPECT_EQ(buf[i], i + 1);
}

TEST(ByteIo, WriterFailsStickyWithoutWritingPastTheEnd) {
  std::array<uint8_t, 8> buf{};
  ByteWriter w{std::span(buf).first(5)};
  w.u32(0xAAAAAAAA);
  w.u16(0xBBBB);  // does not fit
  w.u8(0xCC);     // would fit, but the writer has failed
  EXPECT_FALSE(w.ok());
  EXPECT_EQ(buf[4], 0);
  EXPECT_EQ(buf[5], 0);
}

TEST(ByteIo, ReadsLittleEndianAndFailsSticky) {
  const Buf in = Bytes().u8(1).u16(0x0302).u32(0x07060504).u64(0x0F0E0D0C0B0A0908ull).take();
  ByteReader r(in);
  EXPECT_EQ(r.u8(), 1);
  EXPECT_EQ(r.u16(), 0x0302);
  EXPECT_EQ(r.u32(), 0x07060504u);
  EXPECT_EQ(r.u64(), 0x0F0E0D0C0B0A0908ull);
  EXPECT_TRUE(r.done());
  EXPECT_EQ(r.u8(), 0);
  EXPECT_FALSE(r.ok());
  EXPECT_TRUE(r.bytes(0).empty());
  EXPECT_FALSE(r.done());
}

TEST(ByteIo, ReaderBytesRefusesOverlongRuns) {
  const Buf in = {1, 2, 3};
  ByteReader r(in);
  EXPECT_EQ(r.bytes(2).size(), 2u);
  EXPECT_TRUE(r.bytes(2).empty());
  EXPECT_FALSE(r.ok());
  EXPECT_TRUE(r.rest().empty());
}

// ---- types and limits -------------------------------------------------------------------

TEST(Protocol, MagicIsTtycOnTheWire) {
  std::array<uint8_t, kHeaderSize> h{};
  write_header(MsgType::kPing, {}, h);
  EXPECT_EQ(std::string(h.begin(), h.begin() + 4), "TTYC");
}

// The call's types 0x01-0x0E, the key exchange's 0x10-0x12, MediaState 0x20 and the room
// list's 0x21-0x22.
bool is_defined_type(int t) {
  return (t >= 0x01 && t <= 0x0E) || (t >= 0x10 && t <= 0x12) || (t >= 0x20 && t <= 0x22) ||
         (t >= 0x30 && t <= 0x32) || (t >= 0x40 && t <= 0x42);
}

TEST(Protocol, KnownTypesAreTheCallsTheKeyExchangesMediaStateAndRooms) {
  for (int t = 0; t < 256; ++t) {
    EXPECT_EQ(is_known_type(uint8_t(t)), is_defined_type(t)) << t;
  }
}

TEST(Protocol, MaxPayloadPerType) {
  EXPECT_EQ(max_payload(MsgType::kHello), 128u);
  EXPECT_EQ(max_payload(MsgType::kListRooms), 2u);
  EXPECT_EQ(max_payload(MsgType::kRoomList), 4u + 64u * (3u + 32u));
  EXPECT_EQ(max_payload(MsgType::kWelcome), 6u);
  EXPECT_EQ(max_payload(MsgType::kParticipants), 4u + 64u * (6u + 32u));
  EXPECT_EQ(max_payload(MsgType::kJoined), 37u);
  EXPECT_EQ(max_payload(MsgType::kLeft), 4u);
  EXPECT_EQ(max_payload(MsgType::kResize), 10u);
  EXPECT_EQ(max_payload(MsgType::kMediaState), 1u);
  EXPECT_EQ(max_payload(MsgType::kPing), 8u);
  EXPECT_EQ(max_payload(MsgType::kPong), 8u);
  EXPECT_EQ(max_payload(MsgType::kBye), 122u);
  EXPECT_EQ(max_payload(MsgType::kVideoRequest), 6u);
  EXPECT_EQ(max_payload(MsgType::kVideoUp), 1u << 20);
  EXPECT_EQ(max_payload(MsgType::kVideoDown), 8u << 20);
  EXPECT_EQ(max_payload(MsgType::kAudioUp), 1500u);
  EXPECT_EQ(max_payload(MsgType::kAudioDown), 1500u);
  EXPECT_EQ(max_payload(MsgType::kKeyHello), 35u);
  EXPECT_EQ(max_payload(MsgType::kKeyWelcome), 145u);
  EXPECT_EQ(max_payload(MsgType::kAuth), 129u);
  EXPECT_EQ(max_payload(MsgType(0x00)), 0u);
  EXPECT_EQ(max_payload(MsgType(0x0F)), 0u);
  EXPECT_EQ(max_payload(MsgType(0xFF)), 0u);
}

TEST(Protocol, LargestMessagesFitTheirLimits) {
  // The limits of the fixed-layout types are exactly their largest encodings.
  EXPECT_EQ(encode_vec(max_participants()).size(), max_payload(MsgType::kParticipants));
  EXPECT_EQ(encode_vec(Joined{1, Name::from(std::string(99, 'x'))}).size(),
            max_payload(MsgType::kJoined));
  EXPECT_EQ(encode_vec(Bye::make(ByeReason::kNormal, std::string(999, 'x'))).size(),
            max_payload(MsgType::kBye));
  EXPECT_EQ(encode_vec(Resize{kMaxTerminalCols, kMaxTerminalRows, ViewLayout::kFocus, ~0u}).size(),
            max_payload(MsgType::kResize));
  Hello h = sample_hello();
  h.name = Name::from(std::string(99, 'x'));
  EXPECT_EQ(encode_vec(h).size(), 7u + kMaxNameBytes + 1 + 1 + 32);
  h.room = Name::from(std::string(99, 'r'));
  EXPECT_EQ(encode_vec(h).size(), 7u + kMaxNameBytes + 1 + kMaxRoomNameBytes + 1 + 32);
  EXPECT_LE(encode_vec(h).size(), max_payload(MsgType::kHello));
  EXPECT_EQ(encode_vec(max_room_list()).size(), max_payload(MsgType::kRoomList));
  EXPECT_EQ(encode_vec(sample_video_up()).size(), kVideoUpHeaderSize);
  EXPECT_EQ(encode_vec(sample_video_down(0, 0, 0)).size(), kVideoDownFixedSize);
  EXPECT_EQ(encode_vec(sample_video_down(3, 0, 0)).size(),
            kVideoDownFixedSize + 3 * kFrameSourceSize);
  // Labels: 8 bytes each, then the name ("tile 0", "tile 1": 6 bytes); tiles 8 bytes each.
  EXPECT_EQ(encode_vec(sample_video_down(3, 2, 4)).size(),
            kVideoDownFixedSize + 3 * kFrameSourceSize + 2 * (kFrameLabelFixedSize + 6) +
                4 * kFrameTileSize);
  // The largest VideoDown header leaves room for a picture under the limit.
  const VideoDownHeader big = max_video_down();
  EXPECT_EQ(encode_vec(big).size(), kVideoDownFixedSize + kMaxFrameSources * kFrameSourceSize +
                                        kMaxLabels * (kFrameLabelFixedSize + kMaxNameBytes) +
                                        kMaxFrameTiles * kFrameTileSize);
  EXPECT_LT(encode_vec(big).size() + (1u << 20), max_payload(MsgType::kVideoDown));
}

TEST(Protocol, EveryControlAndAudioTypeFitsItsClass) {
  // Control and audio packets go into fixed slots sized from max_control_payload() and
  // max_audio_payload() (send_queues.h, packet_reader.h): every such type must fit them.
  for (int t = 0; t < 256; ++t) {
    if (!is_defined_type(t)) continue;
    const MsgType type = MsgType(t);
    if (is_video(type)) {
      EXPECT_GT(max_payload(type), max_control_payload()) << t;
    } else if (is_audio(type)) {
      EXPECT_LE(max_payload(type), max_audio_payload()) << t;
      EXPECT_LE(kHeaderSize + max_payload(type) + kSealOverhead, kMaxAudioPacket) << t;
    } else {
      EXPECT_LE(max_payload(type), max_control_payload()) << t;
      EXPECT_LE(kHeaderSize + max_payload(type) + kSealOverhead, kMaxControlPacket) << t;
    }
  }
  // The largest control message is a full Participants list.
  EXPECT_EQ(max_control_payload(), max_payload(MsgType::kParticipants));
  EXPECT_EQ(max_audio_payload(), 1500u);
  // And every sample of a control or audio type fits its type's limit.
  for (const Case& c : all_cases()) {
    if (!is_video(c.type)) {
      EXPECT_LE(c.payload.size(), max_payload(c.type)) << c.name;
    }
  }
}

TEST(Protocol, TypeNamesAreDistinct) {
  std::vector<std::string_view> names;
  for (int t = 1; t <= 14; ++t) names.push_back(to_string(MsgType(t)));
  for (int t = 0x20; t <= 0x22; ++t) names.push_back(to_string(MsgType(t)));
  for (auto n : names) EXPECT_NE(n, "Unknown");
  std::sort(names.begin(), names.end());
  EXPECT_EQ(std::adjacent_find(names.begin(), names.end()), names.end());
  EXPECT_EQ(to_string(MsgType(0)), "Unknown");
  for (int e = 0; e <= int(HeaderError::kTooLarge); ++e) {
    EXPECT_FALSE(to_string(HeaderError(e)).empty());
  }
}

// ---- header -----------------------------------------------------------------------------

std::array<uint8_t, kHeaderSize> header_bytes(uint32_t magic, uint8_t version, uint8_t type,
                                              uint16_t flags, uint32_t length, uint32_t crc = 0) {
  const Buf b = Bytes().u32(magic).u8(version).u8(type).u16(flags).u32(length).u32(crc).take();
  std::array<uint8_t, kHeaderSize> out{};
  std::copy(b.begin(), b.end(), out.begin());
  return out;
}

HeaderError parse(const std::array<uint8_t, kHeaderSize>& bytes) {
  Header h;
  return parse_header(bytes, h);
}

TEST(ProtocolHeader, GoldenBytes) {
  const Buf payload = encode_vec(Ping{0x1122334455667788ull});
  std::array<uint8_t, kHeaderSize> h{};
  write_header(MsgType::kPing, payload, h);
  const uint32_t crc = crc32c(payload);
  const Buf expected = Bytes().str("TTYC").u8(5).u8(0x07).u16(0).u32(8).u32(crc).take();
  EXPECT_EQ(Buf(h.begin(), h.end()), expected);
  EXPECT_EQ(payload, (Buf{0x88, 0x77, 0x66, 0x55, 0x44, 0x33, 0x22, 0x11}));
}

TEST(ProtocolHeader, ParsesEveryField) {
  Header h;
  ASSERT_EQ(parse_header(header_bytes(kMagic, kProtocolVersion, 0x0B, 0, 1234, 0xDEADBEEF), h),
            HeaderError::kOk);
  EXPECT_EQ(h.type, MsgType::kVideoUp);
  EXPECT_EQ(h.flags, 0);
  EXPECT_EQ(h.length, 1234u);
  EXPECT_EQ(h.crc, 0xDEADBEEFu);
}

TEST(ProtocolHeader, RejectsBadMagic) {
  const auto good = header_bytes(kMagic, kProtocolVersion, 0x07, 0, 8);
  for (size_t i = 0; i < 4; ++i) {
    for (int bit = 0; bit < 8; ++bit) {
      auto bad = good;
      bad[i] ^= uint8_t(1u << bit);
      EXPECT_EQ(parse(bad), HeaderError::kBadMagic) << "byte " << i << " bit " << bit;
    }
  }
  EXPECT_EQ(parse(header_bytes(0x43595453, kProtocolVersion, 0x07, 0, 8)), HeaderError::kBadMagic);
  EXPECT_EQ(parse(header_bytes(0x54545943, kProtocolVersion, 0x07, 0, 8)),
            HeaderError::kBadMagic);  // "CYTT"
  EXPECT_EQ(parse(header_bytes(0, kProtocolVersion, 0x07, 0, 8)), HeaderError::kBadMagic);
}

TEST(ProtocolHeader, RejectsEveryOtherVersion) {
  EXPECT_EQ(kProtocolVersion, 5);
  // A v1, v2, v3 or v4 peer's packets stop at the header.
  EXPECT_EQ(parse(header_bytes(kMagic, 1, 0x01, 0, 20)), HeaderError::kBadVersion);
  EXPECT_EQ(parse(header_bytes(kMagic, 2, 0x01, 0, 20)), HeaderError::kBadVersion);
  EXPECT_EQ(parse(header_bytes(kMagic, 3, 0x01, 0, 20)), HeaderError::kBadVersion);
  EXPECT_EQ(parse(header_bytes(kMagic, 4, 0x01, 0, 20)), HeaderError::kBadVersion);
  for (int v = 0; v < 256; ++v) {
    if (v == kProtocolVersion) continue;
    EXPECT_EQ(parse(header_bytes(kMagic, uint8_t(v), 0x07, 0, 8)), HeaderError::kBadVersion) << v;
  }
}

TEST(ProtocolHeader, RejectsUnknownTypes) {
  for (int t = 0; t < 256; ++t) {
    const auto result = parse(header_bytes(kMagic, kProtocolVersion, uint8_t(t), 0, 0));
    if (is_defined_type(t)) {
      EXPECT_EQ(result, HeaderError::kOk) << t;
    } else {
      EXPECT_EQ(result, HeaderError::kUnknownType) << t;
    }
  }
  EXPECT_EQ(parse(header_bytes(kMagic, kProtocolVersion, 0x00, 0, 0)), HeaderError::kUnknownType);
  EXPECT_EQ(parse(header_bytes(kMagic, kProtocolVersion, 0xFF, 0, 0)), HeaderError::kUnknownType);
}

TEST(ProtocolHeader, RejectsEachFlagBitButSealed) {
  EXPECT_EQ(parse(header_bytes(kMagic, kProtocolVersion, 0x07, kFlagSealed, 8 + kSealOverhead)),
            HeaderError::kOk);
  for (int bit = 1; bit < 16; ++bit) {
    EXPECT_EQ(parse(header_bytes(kMagic, kProtocolVersion, 0x07, uint16_t(1u << bit), 8)),
              HeaderError::kBadFlags)
        << bit;
  }
  EXPECT_EQ(parse(header_bytes(kMagic, kProtocolVersion, 0x07, 0xFFFF, 8)), HeaderError::kBadFlags);
}

TEST(ProtocolHeader, SealedLengthIsThePayloadLimitPlusTheTag) {
  for (int t = 0; t < 256; ++t) {
    if (!is_defined_type(t)) continue;
    const size_t max = max_payload(MsgType(t)) + kSealOverhead;
    EXPECT_EQ(parse(header_bytes(kMagic, kProtocolVersion, uint8_t(t), kFlagSealed, uint32_t(max))),
              HeaderError::kOk)
        << t;
    EXPECT_EQ(
        parse(header_bytes(kMagic, kProtocolVersion, uint8_t(t), kFlagSealed, uint32_t(max + 1))),
        HeaderError::kTooLarge)
        << t;
    // A sealed payload holds at least its tag.
    EXPECT_EQ(
        parse(header_bytes(kMagic, kProtocolVersion, uint8_t(t), kFlagSealed, kSealOverhead - 1)),
        HeaderError::kTooSmall)
        << t;
  }
}

TEST(ProtocolHeader, AcceptsExactlyMaxPayloadForEveryType) {
  for (int t = 0x01; t <= 0xFF; ++t) {
    if (!is_defined_type(t)) continue;
    const size_t max = max_payload(MsgType(t));
    ASSERT_GT(max, 0u);
    EXPECT_EQ(parse(header_bytes(kMagic, kProtocolVersion, uint8_t(t), 0, 0)), HeaderError::kOk)
        << t;
    EXPECT_EQ(parse(header_bytes(kMagic, kProtocolVersion, uint8_t(t), 0, uint32_t(max))),
              HeaderError::kOk)
        << t;
    EXPECT_EQ(parse(header_bytes(kMagic, kProtocolVersion, uint8_t(t), 0, uint32_t(max + 1))),
              HeaderError::kTooLarge)
        << t;
    EXPECT_EQ(parse(header_bytes(kMagic, kProtocolVersion, uint8_t(t), 0, 0xFFFFFFFFu)),
              HeaderError::kTooLarge)
        << t;
  }
}

TEST(ProtocolHeader, ChecksFieldsInOrder) {
  // magic, then version, then type, then flags, then length.
  EXPECT_EQ(parse(header_bytes(0, 9, 0xFF, 1, 0xFFFFFFFF)), HeaderError::kBadMagic);
  EXPECT_EQ(parse(header_bytes(kMagic, 9, 0xFF, 1, 0xFFFFFFFF)), HeaderError::kBadVersion);
  EXPECT_EQ(parse(header_bytes(kMagic, kProtocolVersion, 0xFF, 1, 0xFFFFFFFF)),
            HeaderError::kUnknownType);
  EXPECT_EQ(parse(header_bytes(kMagic, kProtocolVersion, 0x07, 2, 0xFFFFFFFF)),
            HeaderError::kBadFlags);
  EXPECT_EQ(parse(header_bytes(kMagic, kProtocolVersion, 0x07, 0, 0xFFFFFFFF)),
            HeaderError::kTooLarge);
}

TEST(ProtocolHeader, LeavesOutputUntouchedOnError) {
  Header h{MsgType::kBye, 0, 5, 6};
  EXPECT_EQ(parse_header(header_bytes(kMagic, 1, 0x07, 0, 8), h), HeaderError::kBadVersion);
  EXPECT_EQ(h.type, MsgType::kBye);
  EXPECT_EQ(h.length, 5u);
  EXPECT_EQ(h.crc, 6u);
}

TEST(ProtocolHeader, RandomHeadersNeverCrashAndAgreeWithTheRules) {
  std::mt19937 rng(11);
  for (int i = 0; i < 20000; ++i) {
    std::array<uint8_t, kHeaderSize> b{};
    for (auto& x : b) x = uint8_t(rng());
    // Make valid fields common enough that every branch is reached.
    if (rng() % 2) std::memcpy(b.data(), "TTYC", 4);
    if (rng() % 2) b[4] = kProtocolVersion;
    if (rng() % 2) b[5] = uint8_t(1 + rng() % 14);
    if (rng() % 2) b[6] = uint8_t(rng() % 2), b[7] = 0;
    if (rng() % 2) b[10] = b[11] = 0;
    if (rng() % 4 == 0) b[9] = 0;
    Header h;
    const HeaderError e = parse_header(b, h);
    const bool sealed = b[6] == 1;
    const uint32_t length =
        uint32_t(b[8]) | uint32_t(b[9]) << 8 | uint32_t(b[10]) << 16 | uint32_t(b[11]) << 24;
    const bool valid = std::memcmp(b.data(), "TTYC", 4) == 0 && b[4] == kProtocolVersion &&
                       is_known_type(b[5]) && (b[6] == 0 || b[6] == 1) && b[7] == 0 &&
                       length <= max_payload(MsgType(b[5])) + (sealed ? kSealOverhead : 0) &&
                       (!sealed || length >= kSealOverhead);
    EXPECT_EQ(e == HeaderError::kOk, valid);
  }
}

// ---- CRC of payloads --------------------------------------------------------------------

TEST(ProtocolPayloadCrc, DetectsEveryFlippedBit) {
  Buf payload = concat(encode_vec(sample_video_down()), kPicture);
  std::array<uint8_t, kHeaderSize> hb{};
  write_header(MsgType::kVideoDown, payload, hb);
  Header h;
  ASSERT_EQ(parse_header(hb, h), HeaderError::kOk);
  ASSERT_TRUE(payload_crc_matches(h, payload));
  for (size_t bit = 0; bit < payload.size() * 8; ++bit) {
    payload[bit / 8] ^= uint8_t(1u << (bit % 8));
    EXPECT_FALSE(payload_crc_matches(h, payload)) << "bit " << bit;
    payload[bit / 8] ^= uint8_t(1u << (bit % 8));
  }
  EXPECT_TRUE(payload_crc_matches(h, payload));
}

TEST(ProtocolPayloadCrc, RejectsLengthMismatch) {
  const Buf payload = encode_vec(Ping{5});
  std::array<uint8_t, kHeaderSize> hb{};
  write_header(MsgType::kPing, payload, hb);
  Header h;
  ASSERT_EQ(parse_header(hb, h), HeaderError::kOk);
  EXPECT_FALSE(payload_crc_matches(h, std::span(payload).first(7)));
  EXPECT_FALSE(payload_crc_matches(h, concat(payload, {0})));
}

// ---- packets ----------------------------------------------------------------------------

template <class Msg>
void expect_packet_round_trip(MsgType type, const Msg& msg) {
  SCOPED_TRACE(std::string(to_string(type)));
  Buf buf(kHeaderSize + 4096);
  const size_t n = build_packet(type, msg, buf);
  ASSERT_GT(n, kHeaderSize);
  const auto packet = std::span(buf).first(n);
  Header h;
  ASSERT_EQ(parse_header(packet.template first<kHeaderSize>(), h), HeaderError::kOk);
  EXPECT_EQ(h.type, type);
  EXPECT_EQ(h.flags, 0);
  EXPECT_EQ(h.length, n - kHeaderSize);
  const auto payload = packet.subspan(kHeaderSize);
  EXPECT_TRUE(payload_crc_matches(h, payload));
  EXPECT_EQ(Buf(payload.begin(), payload.end()), encode_vec(msg));
  Msg decoded;
  EXPECT_TRUE(decode_checked(payload, decoded));
  // One byte short of room: nothing is built.
  EXPECT_EQ(build_packet(type, msg, std::span(buf).first(n - 1)), 0u);
}

TEST(ProtocolPacket, BuildPacketRoundTripsEveryMessage) {
  expect_packet_round_trip(MsgType::kHello, sample_hello());
  expect_packet_round_trip(MsgType::kWelcome, Welcome{1, 30});
  expect_packet_round_trip(MsgType::kParticipants, sample_participants(5));
  expect_packet_round_trip(MsgType::kParticipants, max_participants());
  expect_packet_round_trip(MsgType::kJoined, Joined{3, Name::from("carol")});
  expect_packet_round_trip(MsgType::kLeft, Left{3});
  expect_packet_round_trip(MsgType::kResize, Resize{80, 24});
  expect_packet_round_trip(MsgType::kResize, Resize{80, 24, ViewLayout::kFocus, 5});
  expect_packet_round_trip(MsgType::kPing, Ping{123});
  expect_packet_round_trip(MsgType::kPong, Ping{123});
  expect_packet_round_trip(MsgType::kBye, Bye::make(ByeReason::kTimeout, "no ping for 10 s"));
  expect_packet_round_trip(MsgType::kBye, Bye::make(ByeReason::kNormal, ""));
  expect_packet_round_trip(MsgType::kVideoRequest, VideoRequest{320, 180, 15});
}

TEST(ProtocolPacket, BuildPacketRefusesTinyBuffers) {
  Buf buf(kHeaderSize);
  EXPECT_EQ(build_packet(MsgType::kPing, Ping{1}, buf), 0u);
  EXPECT_EQ(build_packet(MsgType::kPing, Ping{1}, std::span(buf).first(3)), 0u);
  EXPECT_EQ(build_packet(MsgType::kPing, Ping{1}, std::span<uint8_t>()), 0u);
}

TEST(ProtocolPacket, VideoPacketsCarryTheirBodyUnderTheCrc) {
  // Video packets are framed by hand: fixed part, body, then a header over both.
  for (bool up : {true, false}) {
    const Buf payload = up ? concat(encode_vec(sample_video_up()), kJpeg)
                           : concat(encode_vec(sample_video_down()), kPicture);
    const MsgType type = up ? MsgType::kVideoUp : MsgType::kVideoDown;
    std::array<uint8_t, kHeaderSize> hb{};
    write_header(type, payload, hb);
    Header h;
    ASSERT_EQ(parse_header(hb, h), HeaderError::kOk);
    EXPECT_EQ(h.type, type);
    EXPECT_EQ(h.length, payload.size());
    EXPECT_TRUE(payload_crc_matches(h, payload));
  }
}

// ---- round trips ------------------------------------------------------------------------

TEST(ProtocolRoundTrip, Hello) {
  const Hello in = sample_hello();
  Hello out;
  ASSERT_TRUE(decode_checked(encode_vec(in), out));
  EXPECT_EQ(out.protocol_version, kProtocolVersion);
  EXPECT_EQ(out.cols, 120);
  EXPECT_EQ(out.rows, 40);
  EXPECT_EQ(out.name.view(), "Ana M\xC3\xBCller");
}

TEST(ProtocolRoundTrip, HelloLayout) {
  // u16 version, u16 cols, u16 rows, the name, the room (empty: the default room), then
  // whether a room password is proven and the 32-byte proof (zero without one).
  const Buf expected = Bytes()
                           .u16(5)
                           .u16(120)
                           .u16(40)
                           .u8(11)
                           .str("Ana M\xC3\xBCller")
                           .u8(0)
                           .u8(0)
                           .raw(Buf(32, 0))
                           .take();
  EXPECT_EQ(encode_vec(sample_hello()), expected);
  Hello in_room = sample_hello();
  in_room.room = Name::from("ops");
  in_room.has_room_password = 1;
  in_room.room_proof.fill(7);
  const Buf with_room = Bytes()
                            .u16(5)
                            .u16(120)
                            .u16(40)
                            .u8(11)
                            .str("Ana M\xC3\xBCller")
                            .u8(3)
                            .str("ops")
                            .u8(1)
                            .raw(Buf(32, 7))
                            .take();
  EXPECT_EQ(encode_vec(in_room), with_room);
  Hello out;
  ASSERT_TRUE(decode_checked(with_room, out));
  EXPECT_EQ(out.room.view(), "ops");
  EXPECT_EQ(out.has_room_password, 1);
}

TEST(ProtocolRoundTrip, HelloOfVersionTwoDoesNotDecode) {
  // v2's Hello ended after the name; the server then answers kVersionMismatch.
  EXPECT_FALSE(decodes<Hello>(Bytes().u16(2).u16(80).u16(24).u8(3).str("ana").take()));
}

TEST(ProtocolRoundTrip, RoomListLayout) {
  const Buf expected = Bytes()
                           .u16(3)  // total
                           .u16(1)  // count
                           .u16(2)  // members
                           .u8(6)
                           .str("room 0")
                           .take();
  RoomList list = sample_room_list(1);
  list.rooms[0].members = 2;
  list.total = 3;
  EXPECT_EQ(encode_vec(list), expected);
  EXPECT_EQ(encode_vec(ListRooms{}), (Buf{5, 0}));
}

TEST(ProtocolRoundTrip, HelloOfVersionOneDoesNotDecode) {
  // v1's Hello: version, render and colour mode bits, cols, rows, render, colour, name. Read
  // as v2 its mode bytes land in cols (0x0703 = 1795, above the limit): it is refused, and
  // the server answers a refused Hello that names another version with kVersionMismatch.
  const Buf v1 =
      Bytes().u16(1).u8(0b11).u8(0b111).u16(120).u16(40).u8(1).u8(1).u8(3).str("ana").take();
  EXPECT_FALSE(decodes<Hello>(v1));
}

TEST(ProtocolRoundTrip, HelloCarriesAnyProtocolVersion) {
  // The payload version is the server's to judge (Bye kVersionMismatch), not the codec's.
  Hello in = sample_hello();
  in.protocol_version = 0xBEEF;
  Hello out;
  ASSERT_TRUE(decode_checked(encode_vec(in), out));
  EXPECT_EQ(out.protocol_version, 0xBEEF);
}

TEST(ProtocolRoundTrip, Welcome) {
  Welcome out;
  ASSERT_TRUE(decode_checked(encode_vec(Welcome{0xA1B2C3D4u, 30}), out));
  EXPECT_EQ(out.participant_id, 0xA1B2C3D4u);
  EXPECT_EQ(out.fps, 30);
  EXPECT_EQ(encode_vec(Welcome{0xA1B2C3D4u, 30}), Bytes().u32(0xA1B2C3D4u).u16(30).take());
}

TEST(ProtocolRoundTrip, Participants) {
  const Participants in = max_participants();
  Participants out;
  ASSERT_TRUE(decode_checked(encode_vec(in), out));
  ASSERT_EQ(out.count, kMaxListedParticipants);
  EXPECT_EQ(out.total, in.total);
  for (int i = 0; i < kMaxListedParticipants; ++i) {
    EXPECT_EQ(out.list[i].id, in.list[i].id);
    EXPECT_EQ(out.list[i].flags, in.list[i].flags);
    EXPECT_EQ(out.list[i].name.view(), in.list[i].name.view());
  }
  const Buf layout = Bytes()
                         .u16(300)
                         .u16(2)
                         .u32(1)
                         .u8(kHasVideo)
                         .u8(2)
                         .str("ab")
                         .u32(2)
                         .u8(0)
                         .u8(1)
                         .str("c")
                         .take();
  ASSERT_TRUE(decode_checked(layout, out));
  EXPECT_EQ(out.total, 300);
  EXPECT_EQ(out.count, 2);
  EXPECT_EQ(out.list[0].id, 1u);
  EXPECT_EQ(out.list[0].flags, kHasVideo);
  EXPECT_EQ(out.list[0].name.view(), "ab");
  EXPECT_EQ(out.list[1].id, 2u);
  EXPECT_EQ(out.list[1].name.view(), "c");
}

TEST(ProtocolRoundTrip, ParticipantsEmpty) {
  Participants out = sample_participants(4);
  ASSERT_TRUE(decode_checked(Bytes().u16(0).u16(0).take(), out));
  EXPECT_EQ(out.count, 0);
  // A list whose sender left the total at 0 says its count.
  Participants small = sample_participants(3);
  small.total = 0;
  ASSERT_TRUE(decode_checked(encode_vec(small), out));
  EXPECT_EQ(out.total, 3);
}

TEST(ProtocolRoundTrip, JoinedAndLeft) {
  Joined j;
  ASSERT_TRUE(decode_checked(encode_vec(Joined{9, Name::from("dave")}), j));
  EXPECT_EQ(j.id, 9u);
  EXPECT_EQ(j.name.view(), "dave");
  EXPECT_EQ(encode_vec(Joined{9, Name::from("dave")}), Bytes().u32(9).u8(4).str("dave").take());
  Left l;
  ASSERT_TRUE(decode_checked(encode_vec(Left{0xFFFFFFFFu}), l));
  EXPECT_EQ(l.id, 0xFFFFFFFFu);
}

TEST(ProtocolRoundTrip, ResizeEveryLayout) {
  for (int layout = 0; layout < kViewLayoutCount; ++layout) {
    for (uint32_t pin : {0u, 1u, 0xFFFFFFFFu}) {
      const Resize in{uint16_t(kMaxTerminalCols), uint16_t(kMaxTerminalRows), ViewLayout(layout),
                      pin};
      Resize out;
      ASSERT_TRUE(decode_checked(encode_vec(in), out));
      EXPECT_EQ(out.cols, kMaxTerminalCols);
      EXPECT_EQ(out.rows, kMaxTerminalRows);
      EXPECT_EQ(out.layout, ViewLayout(layout));
      EXPECT_EQ(out.pinned_id, pin);
    }
  }
}

TEST(ProtocolRoundTrip, ResizeIsAlwaysTenBytes) {
  // One form: a plain grid without a pin is as long as a pinned focus view.
  EXPECT_EQ(encode_vec(Resize{80, 24}), Bytes().u16(80).u16(24).u8(0).u32(0).u8(0).take());
  EXPECT_EQ(encode_vec(Resize{120, 39, ViewLayout::kFocus, 7, 25}),
            Bytes().u16(120).u16(39).u8(1).u32(7).u8(25).take());
  EXPECT_EQ(kResizeSize, 10u);
}

TEST(ProtocolValidate, ResizeGallery) {
  Resize out;
  ASSERT_TRUE(decode_checked(encode_vec(Resize{80, 24, ViewLayout::kGrid, 0, kMaxGallery}), out));
  EXPECT_EQ(out.gallery, kMaxGallery);
  EXPECT_FALSE(decodes<Resize>(Bytes().u16(80).u16(24).u8(0).u32(0).u8(kMaxGallery + 1).take()));
  // The v3 form, without the gallery, is too short.
  EXPECT_FALSE(decodes<Resize>(Bytes().u16(80).u16(24).u8(0).u32(0).take()));
}

TEST(ProtocolRoundTrip, PingPong) {
  for (uint64_t t : {uint64_t(0), uint64_t(1), uint64_t(1'700'000'000'000'000ull), ~uint64_t(0)}) {
    Ping out;
    ASSERT_TRUE(decode_checked(encode_vec(Ping{t}), out));
    EXPECT_EQ(out.timestamp_us, t);
  }
}

TEST(ProtocolRoundTrip, ByeAllReasons) {
  for (int r = 0; r <= int(ByeReason::kShutdown); ++r) {
    Bye out;
    ASSERT_TRUE(decode_checked(encode_vec(Bye::make(ByeReason(r), "bye \xE2\x9C\x8B")), out));
    EXPECT_EQ(out.reason, ByeReason(r));
    EXPECT_EQ(out.view(), "bye \xE2\x9C\x8B");
  }
  EXPECT_EQ(encode_vec(Bye::make(ByeReason::kVersionMismatch, "v2")),
            Bytes().u8(3).u8(2).str("v2").take());
}

TEST(ProtocolRoundTrip, VideoRequest) {
  for (const VideoRequest in : {VideoRequest{0, 0, 0}, VideoRequest{0, 0, 30},
                                VideoRequest{1, 1, 1}, VideoRequest{1920, 1080, 120}}) {
    VideoRequest out;
    ASSERT_TRUE(decode_checked(encode_vec(in), out));
    EXPECT_EQ(out.width, in.width);
    EXPECT_EQ(out.height, in.height);
    EXPECT_EQ(out.fps, in.fps);
  }
}

TEST(ProtocolRoundTrip, VideoUp) {
  const Buf payload = concat(encode_vec(sample_video_up()), kJpeg);
  VideoUpHeader out;
  std::span<const uint8_t> rest;
  ASSERT_TRUE(decode(payload, out, rest));
  EXPECT_EQ(out.seq, 9u);
  EXPECT_EQ(out.capture_us, 1'700'000'000'123'456ull);
  EXPECT_EQ(out.width, 640);
  EXPECT_EQ(out.height, 360);
  EXPECT_EQ(Buf(rest.begin(), rest.end()), kJpeg);
  EXPECT_EQ(rest.data(), payload.data() + kVideoUpHeaderSize);  // a view, not a copy
}

TEST(ProtocolRoundTrip, VideoDown) {
  const VideoDownHeader in = max_video_down();
  const Buf payload = concat(encode_vec(in), kPicture);
  VideoDownHeader out;
  std::span<const uint8_t> rest;
  ASSERT_TRUE(decode(payload, out, rest));
  EXPECT_EQ(out.frame_number, in.frame_number);
  EXPECT_EQ(out.cols, in.cols);
  EXPECT_EQ(out.rows, in.rows);
  EXPECT_EQ(out.format, PictureFormat::kJpeg);
  ASSERT_EQ(out.source_count, kMaxFrameSources);
  for (int i = 0; i < kMaxFrameSources; ++i) {
    EXPECT_EQ(out.sources[i].participant_id, in.sources[i].participant_id);
    EXPECT_EQ(out.sources[i].capture_us, in.sources[i].capture_us);
  }
  ASSERT_EQ(out.label_count, kMaxLabels);
  for (int i = 0; i < kMaxLabels; ++i) {
    EXPECT_EQ(out.labels[i].col, in.labels[i].col) << i;
    EXPECT_EQ(out.labels[i].row, in.labels[i].row) << i;
    EXPECT_EQ(out.labels[i].width, in.labels[i].width) << i;
    EXPECT_EQ(out.labels[i].style, in.labels[i].style) << i;
    EXPECT_EQ(out.labels[i].name.view(), in.labels[i].name.view()) << i;
  }
  ASSERT_EQ(out.tile_count, kMaxFrameTiles);
  for (int i = 0; i < kMaxFrameTiles; ++i) {
    EXPECT_EQ(out.tiles[i].col, in.tiles[i].col) << i;
    EXPECT_EQ(out.tiles[i].row, in.tiles[i].row) << i;
    EXPECT_EQ(out.tiles[i].cols, in.tiles[i].cols) << i;
    EXPECT_EQ(out.tiles[i].rows, in.tiles[i].rows) << i;
  }
  // `rest` is the picture itself: a view of the payload right after the last tile.
  EXPECT_EQ(Buf(rest.begin(), rest.end()), kPicture);
  EXPECT_EQ(rest.data(), payload.data() + video_down_size(in));
  EXPECT_EQ(rest.data() + rest.size(), payload.data() + payload.size());
}

TEST(ProtocolRoundTrip, VideoDownLayout) {
  VideoDownHeader m;
  m.frame_number = 0x01020304;
  m.cols = 80;
  m.rows = 24;
  m.quality = 65;
  m.tables_hash = 0xCAFEF00D;
  m.source_count = 1;
  m.sources[0] = {9, 0x1122334455667788ull};
  m.label_count = 1;
  m.labels[0] = {2, 23, 38, kLabelSpeaking, Name::from("Zo\xC3\xAB")};
  m.tile_count = 1;
  m.tiles[0] = {2, 0, 38, 24};
  const Buf expected = Bytes()
                           .u32(0x01020304)
                           .u16(80)
                           .u16(24)
                           .u8(1)            // PictureFormat::kJpeg
                           .u8(65)           // quality
                           .u32(0xCAFEF00D)  // tables_hash
                           .u8(1)            // source_count
                           .u8(1)            // label_count
                           .u8(1)            // tile_count
                           .u32(9)
                           .u64(0x1122334455667788ull)
                           .u16(2)   // col
                           .u16(23)  // row
                           .u16(38)  // width
                           .u8(1)    // kLabelSpeaking
                           .u8(4)
                           .str("Zo\xC3\xAB")
                           .u16(2)   // tile col
                           .u16(0)   // tile row
                           .u16(38)  // tile cols
                           .u16(24)  // tile rows
                           .take();
  EXPECT_EQ(encode_vec(m), expected);
  const Buf payload = concat(expected, kPicture);
  VideoDownHeader out;
  std::span<const uint8_t> rest;
  ASSERT_TRUE(decode_checked(payload, out));
  ASSERT_TRUE(decode(payload, out, rest));
  EXPECT_EQ(out.labels[0].name.view(), "Zo\xC3\xAB");
  EXPECT_EQ(rest.data(), payload.data() + expected.size());
  EXPECT_EQ(rest.size(), kPicture.size());
}

// ---- generic robustness over every message ----------------------------------------------

TEST(ProtocolDecode, AllSamplesAreAccepted) {
  for (const Case& c : all_cases()) {
    EXPECT_TRUE(c.decoder(c.payload)) << c.name;
    EXPECT_LE(c.payload.size(), max_payload(c.type)) << c.name;
  }
}

TEST(ProtocolDecode, EveryTruncationIsRejected) {
  for (const Case& c : all_cases()) {
    for (size_t len = 0; len < c.min_size; ++len) {
      EXPECT_FALSE(c.decoder(std::span(c.payload).first(len))) << c.name << " prefix " << len;
    }
  }
}

TEST(ProtocolDecode, TrailingBytesAreRejected) {
  for (const Case& c : all_cases()) {
    if (!c.exact) continue;
    for (const Buf& tail : {Buf{0}, Buf{0xFF}, Buf(100, 'x')}) {
      EXPECT_FALSE(c.decoder(concat(c.payload, tail))) << c.name << " +" << tail.size();
    }
  }
}

TEST(ProtocolDecode, OtherTypesPayloadsAreRejectedOrCanonical) {
  // Feeding one type's payload to another decoder must be safe; if accepted it is canonical.
  const auto cases = all_cases();
  for (const Case& decoder : cases) {
    for (const Case& input : cases) (void)decoder.decoder(input.payload);
  }
}

TEST(ProtocolDecode, RandomMutationsNeverCrash) {
  std::mt19937 rng(2024);
  for (const Case& c : all_cases()) {
    for (int i = 0; i < 3000; ++i) {
      Buf b = c.payload;
      switch (rng() % 4) {
        case 0:
          b[rng() % b.size()] = uint8_t(rng());
          break;
        case 1:
          for (int k = 0; k < 4; ++k) b[rng() % b.size()] ^= uint8_t(1u << (rng() % 8));
          break;
        case 2:
          b.resize(rng() % (b.size() + 1));
          break;
        default:
          b.resize(b.size() + rng() % 8, uint8_t(rng()));
          break;
      }
      (void)c.decoder(b);  // decode_checked verifies anything accepted is canonical
    }
  }
}

TEST(ProtocolDecode, RandomBytesNeverCrash) {
  std::mt19937 rng(99);
  const auto cases = all_cases();
  for (int i = 0; i < 5000; ++i) {
    Buf b(rng() % 64);
    for (auto& x : b) x = uint8_t(rng());
    for (const Case& c : cases) (void)c.decoder(b);
  }
}

TEST(ProtocolDecode, FailureLeavesOutputUntouched) {
  Hello h = sample_hello();
  Buf bad = encode_vec(h);
  bad[4] = 0;  // cols = 0
  h.cols = 77;
  EXPECT_FALSE(decode(bad, h));
  EXPECT_EQ(h.cols, 77);

  Participants p = sample_participants(2);
  Buf bad_p = encode_vec(sample_participants(3));
  bad_p.pop_back();
  EXPECT_FALSE(decode(bad_p, p));
  EXPECT_EQ(p.count, 2);

  VideoDownHeader v = sample_video_down(1);
  std::span<const uint8_t> rest;
  EXPECT_FALSE(decode(encode_vec(sample_video_down(3)), v, rest));  // no picture bytes
  EXPECT_EQ(v.source_count, 1);
  EXPECT_TRUE(rest.empty());
  // A bad label after good ones leaves the labels already read untouched too.
  VideoDownHeader bad_label = sample_video_down(2, 3);
  bad_label.labels[2].width = 0;
  v = sample_video_down(1, 1);
  EXPECT_FALSE(decode(concat(encode_vec(bad_label), kPicture), v, rest));
  EXPECT_EQ(v.label_count, 1);
  EXPECT_EQ(v.labels[1].name.len, 0);
}

// ---- field validation -------------------------------------------------------------------

const std::vector<std::string> kInvalidUtf8 = {
    "\x80",                  // lone continuation byte
    "\xBF",                  // lone continuation byte
    "\xC0\xAF",              // overlong '/'
    "\xC1\xBF",              // overlong, C1 lead
    "\xE0\x80\xAF",          // overlong 3-byte
    "\xE0\x9F\xBF",          // overlong 3-byte, top of range
    "\xED\xA0\x80",          // surrogate U+D800
    "\xED\xBF\xBF",          // surrogate U+DFFF
    "\xF0\x80\x80\xAF",      // overlong 4-byte
    "\xF0\x8F\xBF\xBF",      // overlong 4-byte, top of range
    "\xF4\x90\x80\x80",      // U+110000
    "\xF5\x80\x80\x80",      // F5 lead
    "\xF8\x88\x80\x80\x80",  // 5-byte form
    "\xFE",                  // never valid
    "\xFF",                  // never valid
    "\xC3",                  // truncated 2-byte
    "ok\xC3",                // truncated at the end
    "\xE2\x82",              // truncated 3-byte
    "\xF0\x9F\x98",          // truncated 4-byte
    "\xC3\x28",              // bad continuation
    "\xE2\x28\xA1",          // bad second byte
    "\xE2\x82\x28",          // bad third byte
    "\xF0\x9F\x28\x80",      // bad third byte, 4-byte
};

const std::vector<std::string> kControlText = {
    std::string("a\0b", 3), "\x1b[2J",  "a\nb", "\t", "\r", "\x7f", "\xC2\x80",
    "\xC2\x9B[31m",         "\xC2\x9F", "x\x01"};

const std::vector<std::string> kValidText = {
    "a",
    "Zo\xC3\xAB",
    "\xC2\xA0",                      // U+00A0, first printable after C1
    "\xE0\xA0\x80",                  // U+0800
    "\xED\x9F\xBF",                  // U+D7FF, last before surrogates
    "\xEE\x80\x80",                  // U+E000
    "\xEF\xBF\xBD",                  // U+FFFD
    "\xF0\x90\x80\x80",              // U+10000
    "\xF4\x8F\xBF\xBF",              // U+10FFFF
    "\xF0\x9F\x98\x80 smile",        // emoji
    std::string(kMaxNameBytes, '~')  // DEL is 0x7F; '~' is 0x7E
};

TEST(ProtocolValidate, HelloTerminalSizeBounds) {
  const std::vector<std::pair<int, int>> ok = {{1, 1}, {kMaxTerminalCols, kMaxTerminalRows}};
  const std::vector<std::pair<int, int>> bad = {
      {0, 24},         {80, 0}, {0, 0}, {kMaxTerminalCols + 1, 24}, {80, kMaxTerminalRows + 1},
      {0xFFFF, 0xFFFF}};
  for (auto [cols, rows] : ok) {
    Hello h = sample_hello();
    h.cols = uint16_t(cols);
    h.rows = uint16_t(rows);
    EXPECT_TRUE(encodes_and_decodes(h)) << cols << "x" << rows;
  }
  for (auto [cols, rows] : bad) {
    Hello h = sample_hello();
    h.cols = uint16_t(cols);
    h.rows = uint16_t(rows);
    EXPECT_FALSE(encodes_and_decodes(h)) << cols << "x" << rows;
  }
}

TEST(ProtocolValidate, RoomNames) {
  EXPECT_TRUE(is_valid_room_name("lobby"));
  EXPECT_TRUE(is_valid_room_name("stand-up 9:30"));
  EXPECT_TRUE(is_valid_room_name("\xC3\xA9quipe"));             // é, precomposed
  EXPECT_TRUE(is_valid_room_name("\xE4\xBC\x9A\xE8\xAD\xB0"));  // 会议: wide is fine
  EXPECT_TRUE(is_valid_room_name(std::string(32, 'x')));
  EXPECT_FALSE(is_valid_room_name(""));
  EXPECT_FALSE(is_valid_room_name(std::string(33, 'x')));
  for (const auto& s : kInvalidUtf8) EXPECT_FALSE(is_valid_room_name(s)) << s;
  for (const auto& s : kControlText) EXPECT_FALSE(is_valid_room_name(s)) << s;
  // Format characters: a bidi override (U+202E) or isolate (U+2066), a zero-width joiner
  // (U+200D), a BOM; and a lone combining mark (U+0301).
  for (const char* s : {"a\xE2\x80\xAE"
                        "b",
                        "\xE2\x81\xA6x",
                        "a\xE2\x80\x8D"
                        "b",
                        "\xEF\xBB\xBFlobby", "e\xCC\x81"}) {
    EXPECT_FALSE(is_valid_room_name(s)) << s;
  }
}

TEST(ProtocolValidate, HelloAndRoomListRoomNames) {
  auto with_room = [](std::string_view bytes) {
    Hello h = sample_hello();
    h.room = raw_name(bytes);
    return h;
  };
  EXPECT_TRUE(encodes_and_decodes(with_room("")));  // the default room
  EXPECT_TRUE(encodes_and_decodes(with_room("ops")));
  EXPECT_FALSE(
      encodes_and_decodes(with_room("a\xE2\x80\xAE"
                                    "b")));
  EXPECT_FALSE(encodes_and_decodes(with_room("a\x1B")));
  RoomList list = sample_room_list(1);
  list.rooms[0].name = raw_name(
      "a\xE2\x80\xAE"
      "b");
  EXPECT_FALSE(encodes_and_decodes(list));
  list.rooms[0].name = raw_name("");  // a listed room always has a name
  EXPECT_FALSE(encodes_and_decodes(list));
  RoomList more = sample_room_list(2);
  more.total = 1;  // fewer rooms in all than listed
  EXPECT_FALSE(encodes_and_decodes(more));
  Hello bad_flag = sample_hello();
  bad_flag.has_room_password = 2;
  EXPECT_FALSE(encodes_and_decodes(bad_flag));
}

TEST(ProtocolValidate, HelloNames) {
  auto with_name = [](std::string_view bytes) {
    Hello h = sample_hello();
    h.name = raw_name(bytes);
    return h;
  };
  EXPECT_FALSE(encodes_and_decodes(with_name("")));
  for (const auto& s : kInvalidUtf8) EXPECT_FALSE(encodes_and_decodes(with_name(s))) << s;
  for (const auto& s : kControlText) EXPECT_FALSE(encodes_and_decodes(with_name(s))) << s;
  for (const auto& s : kValidText) EXPECT_TRUE(encodes_and_decodes(with_name(s))) << s;
  // name_len above the limit, with the bytes present.
  const Buf fixed = Bytes().u16(3).u16(80).u16(24).take();
  const Buf no_room = Bytes().u8(0).u8(0).raw(Buf(32, 0)).take();
  EXPECT_TRUE(
      decodes<Hello>(Bytes().raw(fixed).u8(32).str(std::string(32, 'x')).raw(no_room).take()));
  EXPECT_FALSE(
      decodes<Hello>(Bytes().raw(fixed).u8(33).str(std::string(33, 'x')).raw(no_room).take()));
  EXPECT_FALSE(
      decodes<Hello>(Bytes().raw(fixed).u8(255).str(std::string(255, 'x')).raw(no_room).take()));
}

TEST(ProtocolRoundTrip, ResizeWithFocusLayout) {
  const Resize in{120, 39, ViewLayout::kFocus, 7};
  EXPECT_EQ(encode_vec(in).size(), kResizeSize);
  Resize out;
  ASSERT_TRUE(decode_checked(encode_vec(in), out));
  EXPECT_EQ(out.layout, ViewLayout::kFocus);
  EXPECT_EQ(out.pinned_id, 7u);
  EXPECT_EQ(out.cols, 120);
  EXPECT_EQ(out.rows, 39);
  // A plain grid takes the same 9 bytes and decodes over a previous focus view.
  Resize decoded{1, 1, ViewLayout::kFocus, 3};
  ASSERT_TRUE(decode_checked(encode_vec(Resize{80, 24}), decoded));
  EXPECT_EQ(decoded.layout, ViewLayout::kGrid);
  EXPECT_EQ(decoded.pinned_id, 0u);
  EXPECT_EQ(decoded.cols, 80);
}

TEST(ProtocolValidate, ResizeHasOneSize) {
  const Buf good = encode_vec(Resize{80, 24, ViewLayout::kFocus, 7});
  ASSERT_EQ(good.size(), 10u);
  ASSERT_TRUE(decodes<Resize>(good));
  // v1's two forms (6 bytes: no layout; 11 bytes: render and colour first) and every
  // other length are refused.
  for (size_t len = 0; len < good.size(); ++len) {
    EXPECT_FALSE(decodes<Resize>(Buf(good.begin(), good.begin() + long(len)))) << len;
  }
  EXPECT_FALSE(decodes<Resize>(concat(good, {0})));
  EXPECT_FALSE(decodes<Resize>(concat(good, {0, 0})));
  EXPECT_FALSE(decodes<Resize>(Bytes().u16(80).u16(24).u8(1).u8(2).take()));
  EXPECT_FALSE(decodes<Resize>(Bytes().u16(80).u16(24).u8(1).u8(2).u8(1).u32(7).take()));
}

TEST(ProtocolValidate, ResizeLayoutOutOfRange) {
  for (int layout = kViewLayoutCount; layout < 256; ++layout) {
    EXPECT_FALSE(decodes<Resize>(Bytes().u16(80).u16(24).u8(uint64_t(layout)).u32(0).take()))
        << layout;
    EXPECT_FALSE(encodes_and_decodes(Resize{80, 24, ViewLayout(layout), 7})) << layout;
  }
}

TEST(ProtocolValidate, ResizeBounds) {
  EXPECT_TRUE(encodes_and_decodes(Resize{1, 1}));
  EXPECT_TRUE(encodes_and_decodes(Resize{kMaxTerminalCols, kMaxTerminalRows}));
  EXPECT_FALSE(encodes_and_decodes(Resize{0, 24}));
  EXPECT_FALSE(encodes_and_decodes(Resize{80, 0}));
  EXPECT_FALSE(encodes_and_decodes(Resize{0, 0}));
  EXPECT_FALSE(encodes_and_decodes(Resize{kMaxTerminalCols + 1, 24}));
  EXPECT_FALSE(encodes_and_decodes(Resize{80, kMaxTerminalRows + 1}));
  EXPECT_FALSE(encodes_and_decodes(Resize{0xFFFF, 0xFFFF}));
  EXPECT_FALSE(encodes_and_decodes(Resize{0, 24, ViewLayout::kFocus, 1}));
}

TEST(ProtocolValidate, MediaState) {
  MediaState state;
  ASSERT_TRUE(decode(encode_vec(MediaState{kMediaVideoOff}), state));
  EXPECT_EQ(state.flags, kMediaVideoOff);
  EXPECT_FALSE(decode(std::vector<uint8_t>{0x02}, state));
  EXPECT_FALSE(decode(std::vector<uint8_t>{}, state));
  EXPECT_FALSE(decode(std::vector<uint8_t>{0x01, 0x00}, state));
}

TEST(ProtocolValidate, ParticipantsCountAndNames) {
  // count above the limit, with well-formed entries present.
  Bytes over;
  over.u16(kMaxListedParticipants + 1).u16(kMaxListedParticipants + 1);
  for (int i = 0; i <= kMaxListedParticipants; ++i) over.u32(uint32_t(i)).u8(0).u8(1).str("x");
  EXPECT_FALSE(decodes<Participants>(over.take()));
  EXPECT_FALSE(decodes<Participants>(Bytes().u16(0xFFFF).u16(0xFFFF).take()));
  // A count larger than the entries present.
  EXPECT_FALSE(decodes<Participants>(Bytes().u16(2).u16(2).u32(1).u8(0).u8(1).str("x").take()));
  // A total below the count.
  EXPECT_FALSE(decodes<Participants>(Bytes().u16(0).u16(1).u32(1).u8(0).u8(1).str("x").take()));
  EXPECT_TRUE(decodes<Participants>(Bytes().u16(900).u16(1).u32(1).u8(0).u8(1).str("x").take()));
  // A bad name in any entry.
  for (const std::string& bad : {std::string(), std::string("\x1b"), std::string("\xC3")}) {
    for (int at = 0; at < 3; ++at) {
      Participants p = sample_participants(3);
      p.list[at].name = raw_name(bad);
      EXPECT_FALSE(encodes_and_decodes(p)) << at;
    }
  }
  EXPECT_FALSE(decodes<Participants>(
      Bytes().u16(1).u16(1).u32(1).u8(0).u8(33).str(std::string(33, 'x')).take()));
  // Unknown flag bits are carried, not judged.
  Participants p = sample_participants(1);
  p.list[0].flags = 0xFF;
  EXPECT_TRUE(encodes_and_decodes(p));
}

TEST(ProtocolValidate, JoinedNames) {
  EXPECT_FALSE(encodes_and_decodes(Joined{1, raw_name("")}));
  for (const auto& s : kInvalidUtf8) EXPECT_FALSE(encodes_and_decodes(Joined{1, raw_name(s)}));
  for (const auto& s : kControlText) EXPECT_FALSE(encodes_and_decodes(Joined{1, raw_name(s)}));
  for (const auto& s : kValidText) EXPECT_TRUE(encodes_and_decodes(Joined{1, raw_name(s)}));
  EXPECT_FALSE(decodes<Joined>(Bytes().u32(1).u8(33).str(std::string(33, 'x')).take()));
}

TEST(ProtocolValidate, ByeReasonAndText) {
  // 0-13, 20 (a name that is not safe text), and the refusals to try again later from 30 on.
  const auto known = [](int r) {
    return r <= int(ByeReason::kNotListed) || r == int(ByeReason::kBadName) ||
           (r >= int(ByeReason::kTooManyConnections) && r <= int(ByeReason::kSlowDown)) ||
           (r >= int(ByeReason::kDraining) && r <= int(ByeReason::kClusterUnavailable));
  };
  for (int r = 0; r < 256; ++r) {
    EXPECT_EQ(decodes<Bye>(Bytes().u8(uint64_t(r)).u8(0).take()), known(r)) << r;
  }
  EXPECT_TRUE(is_retry_later(ByeReason::kSlowDown));
  EXPECT_FALSE(is_retry_later(ByeReason::kAuthFailed));
  EXPECT_TRUE(decodes<Bye>(Bytes().u8(5).u8(120).str(std::string(120, 'x')).take()));
  EXPECT_FALSE(decodes<Bye>(Bytes().u8(5).u8(121).str(std::string(121, 'x')).take()));
  EXPECT_FALSE(decodes<Bye>(Bytes().u8(5).u8(255).str(std::string(255, 'x')).take()));
  for (const auto& s : kInvalidUtf8) {
    EXPECT_FALSE(decodes<Bye>(Bytes().u8(0).u8(s.size()).str(s).take())) << s;
  }
  for (const auto& s : kControlText) {
    EXPECT_FALSE(decodes<Bye>(Bytes().u8(0).u8(s.size()).str(s).take())) << s;
  }
}

TEST(ProtocolValidate, VideoRequestBounds) {
  EXPECT_TRUE(encodes_and_decodes(VideoRequest{0, 0, 0}));
  EXPECT_TRUE(encodes_and_decodes(VideoRequest{1, 1, 120}));
  EXPECT_TRUE(encodes_and_decodes(VideoRequest{1920, 1080, 30}));
  EXPECT_FALSE(encodes_and_decodes(VideoRequest{0, 360, 30}));
  EXPECT_FALSE(encodes_and_decodes(VideoRequest{640, 0, 30}));
  EXPECT_FALSE(encodes_and_decodes(VideoRequest{1921, 1080, 30}));
  EXPECT_FALSE(encodes_and_decodes(VideoRequest{1920, 1081, 30}));
  EXPECT_FALSE(encodes_and_decodes(VideoRequest{640, 360, 121}));
  EXPECT_FALSE(encodes_and_decodes(VideoRequest{0, 0, 121}));
  EXPECT_FALSE(encodes_and_decodes(VideoRequest{0xFFFF, 0xFFFF, 0xFFFF}));
}

TEST(ProtocolValidate, VideoUpBounds) {
  auto up = [](uint16_t w, uint16_t h) { return VideoUpHeader{1, 2, w, h}; };
  EXPECT_TRUE(encodes_and_decodes(up(1, 1), kJpeg));
  EXPECT_TRUE(encodes_and_decodes(up(1920, 1080), kJpeg));
  EXPECT_TRUE(encodes_and_decodes(up(640, 360), Buf{0}));
  EXPECT_FALSE(encodes_and_decodes(up(640, 360), Buf{}));  // no JPEG bytes
  EXPECT_FALSE(encodes_and_decodes(up(0, 360), kJpeg));
  EXPECT_FALSE(encodes_and_decodes(up(640, 0), kJpeg));
  EXPECT_FALSE(encodes_and_decodes(up(1921, 360), kJpeg));
  EXPECT_FALSE(encodes_and_decodes(up(640, 1081), kJpeg));
}

VideoDownHeader video_down_with(const std::function<void(VideoDownHeader&)>& change) {
  VideoDownHeader v = sample_video_down();
  change(v);
  return v;
}

bool video_down_ok(const std::function<void(VideoDownHeader&)>& change) {
  return encodes_and_decodes(video_down_with(change), kPicture);
}

TEST(ProtocolValidate, VideoDownBounds) {
  EXPECT_TRUE(encodes_and_decodes(sample_video_down(), Buf{0}));
  EXPECT_FALSE(encodes_and_decodes(sample_video_down(), Buf{}));  // no picture bytes
  EXPECT_FALSE(encodes_and_decodes(sample_video_down(0, 0), Buf{}));
  EXPECT_FALSE(video_down_ok([](auto& v) { v.cols = 0; }));
  EXPECT_FALSE(video_down_ok([](auto& v) { v.rows = 0; }));
  EXPECT_FALSE(video_down_ok([](auto& v) { v.cols = kMaxTerminalCols + 1; }));
  EXPECT_FALSE(video_down_ok([](auto& v) { v.rows = kMaxTerminalRows + 1; }));
  EXPECT_TRUE(video_down_ok([](auto& v) { v.cols = kMaxTerminalCols, v.rows = kMaxTerminalRows; }));
  EXPECT_TRUE(video_down_ok([](auto& v) { v.frame_number = 0xFFFFFFFFu; }));
}

TEST(ProtocolValidate, VideoDownPictureFormat) {
  EXPECT_TRUE(video_down_ok([](auto& v) { v.format = PictureFormat::kJpeg; }));
  for (int f = 0; f < 256; ++f) {
    if (f == int(PictureFormat::kJpeg)) continue;
    EXPECT_FALSE(video_down_ok([f](auto& v) { v.format = PictureFormat(f); })) << f;
  }
}

TEST(ProtocolValidate, VideoDownQualityIsAJpegQuality) {
  for (int q : {1, 55, 100}) {
    EXPECT_TRUE(video_down_ok([q](auto& v) { v.quality = uint8_t(q); })) << q;
  }
  for (int q : {0, 101, 255}) {
    EXPECT_FALSE(video_down_ok([q](auto& v) { v.quality = uint8_t(q); })) << q;
  }
}

TEST(ProtocolValidate, VideoDownCountsAboveTheLimits) {
  // source_count above the limit, with the entries and a picture present.
  Buf over = encode_vec(sample_video_down(kMaxFrameSources, 0, 0));
  over[kVideoDownFixedSize - 3] = kMaxFrameSources + 1;
  over = concat(Bytes().raw(over).u32(99).u64(99).take(), kPicture);
  EXPECT_FALSE(decodes<VideoDownHeader>(over));
  over[kVideoDownFixedSize - 3] = 0xFF;
  EXPECT_FALSE(decodes<VideoDownHeader>(over));
  // label_count above the limit, with well-formed labels and a picture present.
  Buf labels = encode_vec(sample_video_down(0, kMaxLabels, 0));
  labels[kVideoDownFixedSize - 2] = kMaxLabels + 1;
  labels = concat(Bytes().raw(labels).u16(0).u16(0).u16(1).u8(0).u8(1).str("x").take(), kPicture);
  EXPECT_FALSE(decodes<VideoDownHeader>(labels));
  labels[kVideoDownFixedSize - 2] = 0xFF;
  EXPECT_FALSE(decodes<VideoDownHeader>(labels));
  // tile_count above the limit, with well-formed tiles and a picture present.
  Buf tiles = encode_vec(sample_video_down(0, 0, kMaxFrameTiles));
  tiles[kVideoDownFixedSize - 1] = kMaxFrameTiles + 1;
  tiles = concat(Bytes().raw(tiles).u16(0).u16(0).u16(1).u16(1).take(), kPicture);
  EXPECT_FALSE(decodes<VideoDownHeader>(tiles));
  tiles[kVideoDownFixedSize - 1] = 0xFF;
  EXPECT_FALSE(decodes<VideoDownHeader>(tiles));
  // Counts larger than the entries present: the rest is read as entries and runs out.
  EXPECT_FALSE(decodes<VideoDownHeader>(concat(video_down_fixed(1, 0).take(), Buf(11, 0))));
  EXPECT_FALSE(decodes<VideoDownHeader>(
      video_down_fixed(0, 1).u16(0).u16(0).u16(10).u8(0).u8(5).str("ab").take()));
}

TEST(ProtocolValidate, VideoDownTilesInsideTheView) {
  // The sample view is 200 x 50.
  auto tile = [](uint16_t col, uint16_t row, uint16_t cols, uint16_t rows) {
    return video_down_with([=](auto& v) { v.tiles[1] = {col, row, cols, rows}; });
  };
  EXPECT_TRUE(encodes_and_decodes(tile(0, 0, 200, 50), kPicture));  // the whole view
  EXPECT_TRUE(encodes_and_decodes(tile(199, 49, 1, 1), kPicture));  // the last cell
  EXPECT_TRUE(encodes_and_decodes(tile(0, 0, 50, 12), kPicture));   // over tile 0: harmless
  EXPECT_FALSE(encodes_and_decodes(tile(0, 0, 0, 12), kPicture));   // empty
  EXPECT_FALSE(encodes_and_decodes(tile(0, 0, 50, 0), kPicture));
  EXPECT_FALSE(encodes_and_decodes(tile(151, 0, 50, 12), kPicture));    // past the right edge
  EXPECT_FALSE(encodes_and_decodes(tile(0, 39, 50, 12), kPicture));     // past the bottom
  EXPECT_FALSE(encodes_and_decodes(tile(0xFFFF, 0, 2, 12), kPicture));  // no wrap-around
  EXPECT_FALSE(encodes_and_decodes(tile(0, 0xFFFF, 50, 2), kPicture));
  // A tile count larger than the tiles present: the picture is read as tiles and runs out.
  EXPECT_FALSE(decodes<VideoDownHeader>(
      concat(video_down_fixed(0, 0, 2).u16(0).u16(0).u16(10).u16(10).take(), Buf{0xFF})));
}

TEST(ProtocolValidate, VideoDownLabelsInsideTheView) {
  // The sample view is 200 x 50.
  auto label = [](uint16_t col, uint16_t row, uint16_t width) {
    return video_down_with([=](auto& v) {
      v.labels[1].col = col;
      v.labels[1].row = row;
      v.labels[1].width = width;
    });
  };
  EXPECT_TRUE(encodes_and_decodes(label(0, 0, 1), kPicture));
  EXPECT_TRUE(encodes_and_decodes(label(0, 49, 200), kPicture));   // the whole last row
  EXPECT_TRUE(encodes_and_decodes(label(199, 49, 1), kPicture));   // the last cell
  EXPECT_TRUE(encodes_and_decodes(label(150, 10, 50), kPicture));  // ends at the right edge
  EXPECT_FALSE(encodes_and_decodes(label(0, 50, 10), kPicture));   // row below the view
  EXPECT_FALSE(encodes_and_decodes(label(0, 0xFFFF, 10), kPicture));
  EXPECT_FALSE(encodes_and_decodes(label(151, 10, 50), kPicture));  // one cell past the edge
  EXPECT_FALSE(encodes_and_decodes(label(200, 10, 1), kPicture));   // starts past the edge
  EXPECT_FALSE(encodes_and_decodes(label(0, 10, 201), kPicture));   // wider than the view
  EXPECT_FALSE(encodes_and_decodes(label(0xFFFF, 10, 1), kPicture));
  EXPECT_FALSE(encodes_and_decodes(label(1, 10, 0xFFFF), kPicture));  // col + width overflows u16
  EXPECT_FALSE(encodes_and_decodes(label(0, 10, 0), kPicture));       // width 0
  EXPECT_FALSE(encodes_and_decodes(label(10, 10, 0), kPicture));
  // Checked against this frame's own size: a 1 x 1 view holds exactly one cell of label.
  EXPECT_TRUE(video_down_ok([](auto& v) {
    v.cols = 1, v.rows = 1, v.label_count = 1, v.tile_count = 0;
    v.labels[0].col = 0, v.labels[0].row = 0, v.labels[0].width = 1;
  }));
  EXPECT_FALSE(video_down_ok([](auto& v) {
    v.cols = 1, v.rows = 1, v.label_count = 1;
    v.labels[0].col = 0, v.labels[0].row = 0, v.labels[0].width = 2;
  }));
}

TEST(ProtocolValidate, VideoDownLabelStyle) {
  EXPECT_TRUE(video_down_ok([](auto& v) { v.labels[0].style = kLabelPlain; }));
  EXPECT_TRUE(video_down_ok([](auto& v) { v.labels[0].style = kLabelSpeaking; }));
  for (int style = kLabelSpeaking + 1; style < 256; ++style) {
    EXPECT_FALSE(video_down_ok([style](auto& v) { v.labels[1].style = uint8_t(style); })) << style;
  }
}

TEST(ProtocolValidate, VideoDownLabelNames) {
  auto with_name = [](std::string_view bytes, int at) {
    return video_down_with([=](auto& v) { v.labels[at].name = raw_name(bytes); });
  };
  for (int at = 0; at < 2; ++at) {
    EXPECT_FALSE(encodes_and_decodes(with_name("", at), kPicture)) << at;
    for (const auto& s : kInvalidUtf8) {
      EXPECT_FALSE(encodes_and_decodes(with_name(s, at), kPicture)) << at << " " << s;
    }
    for (const auto& s : kControlText) {
      EXPECT_FALSE(encodes_and_decodes(with_name(s, at), kPicture)) << at << " " << s;
    }
    for (const auto& s : kValidText) {
      EXPECT_TRUE(encodes_and_decodes(with_name(s, at), kPicture)) << at << " " << s;
    }
  }
  // A name longer than 32 bytes, with its bytes present.
  const Buf fixed = video_down_fixed(0, 1).u16(0).u16(0).u16(10).u8(0).take();
  EXPECT_TRUE(decodes<VideoDownHeader>(
      concat(Bytes().raw(fixed).u8(32).str(std::string(32, 'x')).take(), kPicture)));
  EXPECT_FALSE(decodes<VideoDownHeader>(
      concat(Bytes().raw(fixed).u8(33).str(std::string(33, 'x')).take(), kPicture)));
  EXPECT_FALSE(decodes<VideoDownHeader>(
      concat(Bytes().raw(fixed).u8(255).str(std::string(255, 'x')).take(), kPicture)));
}

TEST(ProtocolValidate, EncodersRefuseLengthsBeyondTheirArrays) {
  Hello h = sample_hello();
  h.name.len = kMaxNameBytes + 1;
  EXPECT_EQ(encode_vec(h).size(), 0u);
  Participants p = sample_participants(1);
  p.count = kMaxListedParticipants + 1;
  EXPECT_EQ(encode_vec(p).size(), 0u);
  Participants long_name = sample_participants(2);
  long_name.list[1].name.len = kMaxNameBytes + 1;
  EXPECT_EQ(encode_vec(long_name).size(), 0u);
  Joined j{1, Name::from("x")};
  j.name.len = kMaxNameBytes + 1;
  EXPECT_EQ(encode_vec(j).size(), 0u);
  Bye b;
  b.text_len = 121;
  EXPECT_EQ(encode_vec(b).size(), 0u);
  VideoDownHeader v = sample_video_down();
  v.source_count = kMaxFrameSources + 1;
  EXPECT_EQ(encode_vec(v).size(), 0u);
  v = sample_video_down();
  v.label_count = kMaxLabels + 1;
  EXPECT_EQ(encode_vec(v).size(), 0u);
  v = sample_video_down();
  v.labels[1].name.len = kMaxNameBytes + 1;
  EXPECT_EQ(encode_vec(v).size(), 0u);
  AudioDownHeader a;
  a.speaker_count = kMaxAudioSpeakers + 1;
  EXPECT_EQ(encode_vec(a).size(), 0u);
}

TEST(ProtocolValidate, EncodersFailWhenTheOutputIsTooSmall) {
  // Every encoder writes all of a message or reports 0: no size short of the encoding works.
  for (const Case& c : all_cases()) {
    const size_t size = c.min_size - (c.exact ? 0 : 1);  // the encoder's part of the payload
    Buf out(size + 8, 0xEE);
    EXPECT_EQ(c.encoder(out), size) << c.name;
    EXPECT_EQ(Buf(out.begin(), out.begin() + long(size)),
              Buf(c.payload.begin(), c.payload.begin() + long(size)))
        << c.name;
    for (size_t n = 0; n < size; ++n) {
      EXPECT_EQ(c.encoder(std::span(out).first(n)), 0u) << c.name << " in " << n << " bytes";
    }
  }
  Buf small(3);
  EXPECT_EQ(encode(Ping{1}, small), 0u);
  EXPECT_EQ(encode(Resize{80, 24}, std::span(small).first(0)), 0u);
}

// ---- Name::from and Bye::make -----------------------------------------------------------

TEST(ProtocolName, CopiesShortNames) {
  EXPECT_EQ(Name::from("alice").view(), "alice");
  EXPECT_EQ(Name::from("").len, 0);
  EXPECT_EQ(Name::from("Zo\xC3\xAB").view(), "Zo\xC3\xAB");
}

TEST(ProtocolName, CutsOnCharacterBoundary) {
  EXPECT_EQ(Name::from(std::string(40, 'x')).view(), std::string(32, 'x'));
  EXPECT_EQ(Name::from(std::string(31, 'x') + "\xC3\xA9").view(), std::string(31, 'x'));
  EXPECT_EQ(Name::from(std::string(30, 'x') + "\xC3\xA9").view(),
            std::string(30, 'x') + "\xC3\xA9");
  EXPECT_EQ(Name::from(std::string(29, 'x') + "\xF0\x9F\x98\x80").view(), std::string(29, 'x'));
  EXPECT_EQ(Name::from(std::string(28, 'x') + "\xF0\x9F\x98\x80y").view(),
            std::string(28, 'x') + "\xF0\x9F\x98\x80");
  // The cut keeps a prefix: a later character that would fit is not pulled forward.
  EXPECT_EQ(Name::from(std::string(31, 'x') + "\xC3\xA9y").view(), std::string(31, 'x'));
  // 16 two-byte characters exactly fill a name.
  std::string two;
  for (int i = 0; i < 20; ++i) two += "\xC3\xA9";
  EXPECT_EQ(Name::from(two).len, 32);
}

TEST(ProtocolName, DropsControlCharacters) {
  EXPECT_EQ(Name::from("a\x1b[31mb").view(), "a[31mb");
  EXPECT_EQ(Name::from("a\nb\tc\r").view(), "abc");
  EXPECT_EQ(Name::from(std::string("a\0b", 3)).view(), "ab");
  EXPECT_EQ(Name::from("a\x7f"
                       "b")
                .view(),
            "ab");
  EXPECT_EQ(Name::from("a\xC2\x9B"
                       "b\xC2\x80")
                .view(),
            "ab");
  EXPECT_EQ(Name::from("\xC2\xA0").view(), "\xC2\xA0");
  EXPECT_EQ(Name::from("\n\t\x1b").len, 0);
  // Dropped characters do not count against the limit.
  EXPECT_EQ(Name::from(std::string(10, '\x1b') + std::string(40, 'x')).view(),
            std::string(32, 'x'));
}

TEST(ProtocolName, DropsInvalidBytes) {
  EXPECT_EQ(Name::from("a\xFF"
                       "b")
                .view(),
            "ab");
  EXPECT_EQ(Name::from("a\xC3").view(), "a");
  EXPECT_EQ(Name::from("a\xE2\x82"
                       "b")
                .view(),
            "ab");
  EXPECT_EQ(Name::from("\xC0\xAF"
                       "ok")
                .view(),
            "ok");
  EXPECT_EQ(Name::from("\xED\xA0\x80"
                       "ok")
                .view(),
            "ok");
  for (const auto& s : kInvalidUtf8) {
    const Name n = Name::from(s);
    if (n.len > 0) {
      EXPECT_TRUE(encodes_and_decodes(Joined{1, n})) << s;
    }
  }
}

TEST(ProtocolName, ResultAlwaysPassesValidation) {
  std::mt19937 rng(5);
  for (int i = 0; i < 20000; ++i) {
    std::string s(rng() % 48, '\0');
    for (auto& ch : s) ch = char(rng() % 4 == 0 ? 0x80 + rng() % 0x80 : rng());
    const Name n = Name::from(s);
    ASSERT_LE(n.len, kMaxNameBytes);
    if (n.len > 0) {
      ASSERT_TRUE(encodes_and_decodes(Joined{1, n})) << s;
    }
  }
}

TEST(ProtocolByeMake, TruncatesOnCharacterBoundary) {
  const Bye a = Bye::make(ByeReason::kProtocolError, std::string(200, 'a'));
  EXPECT_EQ(a.reason, ByeReason::kProtocolError);
  EXPECT_EQ(a.view(), std::string(120, 'a'));
  EXPECT_EQ(Bye::make(ByeReason::kNormal, std::string(119, 'a') + "\xC3\xA9").view(),
            std::string(119, 'a'));
  EXPECT_EQ(Bye::make(ByeReason::kNormal, std::string(117, 'a') + "\xE2\x9C\x8B").view(),
            std::string(117, 'a') + "\xE2\x9C\x8B");
  EXPECT_EQ(Bye::make(ByeReason::kNormal, std::string(118, 'a') + "\xE2\x9C\x8B").view(),
            std::string(118, 'a'));
}

TEST(ProtocolByeMake, DropsControlCharactersAndInvalidBytes) {
  EXPECT_EQ(Bye::make(ByeReason::kNormal, "bye\x1b[2J\n\xFF").view(), "bye[2J");
  std::mt19937 rng(8);
  for (int i = 0; i < 5000; ++i) {
    std::string s(rng() % 160, '\0');
    for (auto& ch : s) ch = char(rng());
    ASSERT_TRUE(encodes_and_decodes(Bye::make(ByeReason(rng() % 6), s)));
  }
}

}  // namespace
}  // namespace ttycall::net
