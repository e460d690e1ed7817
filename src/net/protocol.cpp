// Protocol v5 framing and payload codecs. Every decoder reads through a bounds-checked
// ByteReader, decodes into a local copy and commits it to `out` only when the whole payload
// was consumed and every field is in range, so a malformed payload leaves `out` untouched.
#include "net/protocol.h"

#include <cstring>

#include "core/safe_text.h"
#include "core/utf8.h"
#include "net/byte_io.h"
#include "net/crc32c.h"

namespace ttycall::net {
namespace {

constexpr size_t kMaxByeText = std::tuple_size_v<decltype(Bye::text)>;
constexpr uint16_t kMaxFps = 120;

// ---- UTF-8 ------------------------------------------------------------------------------

// Well-formed UTF-8 without control characters: exactly the text that has a display width.
bool is_clean_text(std::span<const uint8_t> text) {
  return core::utf8::display_width({reinterpret_cast<const char*>(text.data()), text.size()}) >= 0;
}

// Copies the longest prefix of `text` that fits `out` and ends on a character boundary,
// dropping ill-formed bytes and control characters. Returns the bytes written.
size_t copy_clean_text(std::string_view text, std::span<char> out) {
  size_t len = 0;
  while (!text.empty()) {
    const core::utf8::Decoded d = core::utf8::decode(text);
    if (d.length == 0) {
      text.remove_prefix(1);  // drop one ill-formed byte and resynchronise on the next
      continue;
    }
    if (!core::utf8::is_control(d.code_point)) {
      if (d.length > out.size() - len) break;
      std::memcpy(out.data() + len, text.data(), d.length);
      len += d.length;
    }
    text.remove_prefix(d.length);
  }
  return len;
}

// ---- shared field groups ----------------------------------------------------------------

void write_name(ByteWriter& w, const Name& name) {
  w.u8(name.len);
  w.bytes(name.view());
}

bool read_name(ByteReader& r, Name& name) {
  const uint8_t len = r.u8();
  if (len == 0 || len > kMaxNameBytes) return false;
  const auto bytes = r.bytes(len);
  if (!r.ok() || !is_clean_text(bytes)) return false;
  name.len = len;
  std::memcpy(name.bytes.data(), bytes.data(), len);
  return true;
}

// A room name field: the length byte, then a valid room name; `allow_empty` for Hello's
// "the default room".
bool read_room_name(ByteReader& r, Name& name, bool allow_empty) {
  const uint8_t len = r.u8();
  if (len > kMaxRoomNameBytes || (len == 0 && !allow_empty)) return false;
  const auto bytes = r.bytes(len);
  if (!r.ok()) return false;
  const std::string_view text(reinterpret_cast<const char*>(bytes.data()), bytes.size());
  if (len > 0 && !is_valid_room_name(text)) return false;
  name.len = len;
  std::memcpy(name.bytes.data(), bytes.data(), len);
  return true;
}

constexpr bool terminal_size_ok(uint16_t cols, uint16_t rows) {
  return cols >= 1 && cols <= kMaxTerminalCols && rows >= 1 && rows <= kMaxTerminalRows;
}

constexpr bool video_size_ok(uint16_t width, uint16_t height) {
  return width >= 1 && width <= kMaxVideoWidth && height >= 1 && height <= kMaxVideoHeight;
}

}  // namespace

// ---- types and header -------------------------------------------------------------------

bool is_known_type(uint8_t type) {
  return (type >= uint8_t(MsgType::kHello) && type <= uint8_t(MsgType::kAudioDown)) ||
         (type >= uint8_t(MsgType::kKeyHello) && type <= uint8_t(MsgType::kAuth)) ||
         (type >= uint8_t(MsgType::kMediaState) && type <= uint8_t(MsgType::kRoomList)) ||
         (type >= uint8_t(MsgType::kChatSend) && type <= uint8_t(MsgType::kChatRefused)) ||
         (type >= uint8_t(MsgType::kRedirect) && type <= uint8_t(MsgType::kClusterRoomList));
}

std::string_view to_string(MsgType type) {
  switch (type) {
    case MsgType::kHello:
      return "Hello";
    case MsgType::kWelcome:
      return "Welcome";
    case MsgType::kParticipants:
      return "Participants";
    case MsgType::kJoined:
      return "Joined";
    case MsgType::kLeft:
      return "Left";
    case MsgType::kResize:
      return "Resize";
    case MsgType::kPing:
      return "Ping";
    case MsgType::kPong:
      return "Pong";
    case MsgType::kBye:
      return "Bye";
    case MsgType::kVideoRequest:
      return "VideoRequest";
    case MsgType::kVideoUp:
      return "VideoUp";
    case MsgType::kVideoDown:
      return "VideoDown";
    case MsgType::kAudioUp:
      return "AudioUp";
    case MsgType::kAudioDown:
      return "AudioDown";
    case MsgType::kKeyHello:
      return "KeyHello";
    case MsgType::kKeyWelcome:
      return "KeyWelcome";
    case MsgType::kAuth:
      return "Auth";
    case MsgType::kMediaState:
      return "MediaState";
    case MsgType::kListRooms:
      return "ListRooms";
    case MsgType::kRoomList:
      return "RoomList";
    case MsgType::kChatSend:
      return "ChatSend";
    case MsgType::kChatMessage:
      return "ChatMessage";
    case MsgType::kChatRefused:
      return "ChatRefused";
    case MsgType::kRedirect:
      return "Redirect";
    case MsgType::kClusterNodes:
      return "ClusterNodes";
    case MsgType::kClusterRoomList:
      return "ClusterRoomList";
  }
  return "Unknown";
}

std::string_view to_string(HeaderError error) {
  switch (error) {
    case HeaderError::kOk:
      return "ok";
    case HeaderError::kBadMagic:
      return "bad magic";
    case HeaderError::kBadVersion:
      return "unsupported protocol version";
    case HeaderError::kUnknownType:
      return "unknown message type";
    case HeaderError::kBadFlags:
      return "reserved flag bits set";
    case HeaderError::kTooLarge:
      return "payload too large for its type";
    case HeaderError::kTooSmall:
      return "sealed payload shorter than its tag";
  }
  return "unknown header error";
}

HeaderError parse_header(std::span<const uint8_t, kHeaderSize> bytes, Header& out) {
  ByteReader r(bytes);
  const uint32_t magic = r.u32();
  const uint8_t version = r.u8();
  const uint8_t type = r.u8();
  const uint16_t flags = r.u16();
  const uint32_t length = r.u32();
  const uint32_t crc = r.u32();
  if (magic != kMagic) return HeaderError::kBadMagic;
  if (version != kProtocolVersion) return HeaderError::kBadVersion;
  if (!is_known_type(type)) return HeaderError::kUnknownType;
  if ((flags & ~kFlagSealed) != 0) return HeaderError::kBadFlags;
  const bool sealed = (flags & kFlagSealed) != 0;
  if (length > max_payload(MsgType(type)) + (sealed ? kSealOverhead : 0)) {
    return HeaderError::kTooLarge;
  }
  if (sealed && length < kSealOverhead) return HeaderError::kTooSmall;
  out = Header{MsgType(type), flags, length, crc};
  return HeaderError::kOk;
}

void write_header(MsgType type, std::span<const uint8_t> payload,
                  std::span<uint8_t, kHeaderSize> out) {
  ByteWriter w(out);
  w.u32(kMagic);
  w.u8(kProtocolVersion);
  w.u8(uint8_t(type));
  w.u16(0);
  w.u32(uint32_t(payload.size()));
  w.u32(crc32c(payload));
}

bool payload_crc_matches(const Header& header, std::span<const uint8_t> payload) {
  return payload.size() == header.length && crc32c(payload) == header.crc;
}

// ---- text helpers -----------------------------------------------------------------------

Name Name::from(std::string_view text) {
  Name name;
  name.len = uint8_t(copy_clean_text(text, name.bytes));
  return name;
}

bool is_valid_room_name(std::string_view name) {
  if (name.empty() || name.size() > size_t(kMaxRoomNameBytes)) return false;
  while (!name.empty()) {
    const core::utf8::Decoded d = core::utf8::decode(name);
    if (d.length == 0 || !core::utf8::is_displayable(d.code_point)) return false;
    name.remove_prefix(d.length);
  }
  return true;
}

ChatSend ChatSend::make(std::string_view text) {
  ChatSend m;
  m.text_len = uint16_t(std::min(text.size(), m.text.size()));
  std::memcpy(m.text.data(), text.data(), m.text_len);
  return m;
}

ChatRefused ChatRefused::make(ChatRefusal reason, std::string_view text) {
  ChatRefused m;
  m.reason = reason;
  m.text_len = uint8_t(copy_clean_text(text, m.text));
  return m;
}

Bye Bye::make(ByeReason reason, std::string_view text) {
  Bye bye;
  bye.reason = reason;
  bye.text_len = uint8_t(copy_clean_text(text, bye.text));
  return bye;
}

// ---- encoders ---------------------------------------------------------------------------
// Fields are written as they are; only lengths that would read past a struct's own arrays
// are refused (return 0). Range checks are the decoders' job.

namespace {
size_t finish(const ByteWriter& w) {
  return w.ok() ? w.size() : 0;
}
}  // namespace

size_t encode(const Hello& msg, std::span<uint8_t> out) {
  if (msg.name.len > kMaxNameBytes) return 0;
  ByteWriter w(out);
  w.u16(msg.protocol_version);
  w.u16(msg.cols);
  w.u16(msg.rows);
  write_name(w, msg.name);
  write_name(w, msg.room);
  w.u8(msg.has_room_password);
  w.bytes(msg.room_proof);
  return finish(w);
}

size_t encode(const Welcome& msg, std::span<uint8_t> out) {
  ByteWriter w(out);
  w.u32(msg.participant_id);
  w.u16(msg.fps);
  return finish(w);
}

size_t encode(const Participants& msg, std::span<uint8_t> out) {
  if (msg.count > kMaxListedParticipants) return 0;
  ByteWriter w(out);
  w.u16(std::max(msg.total, msg.count));  // a list of the whole room need not say so
  w.u16(msg.count);
  for (size_t i = 0; i < msg.count; ++i) {
    const ParticipantInfo& p = msg.list[i];
    if (p.name.len > kMaxNameBytes) return 0;
    w.u32(p.id);
    w.u8(p.flags);
    write_name(w, p.name);
  }
  return finish(w);
}

size_t encode(const Joined& msg, std::span<uint8_t> out) {
  if (msg.name.len > kMaxNameBytes) return 0;
  ByteWriter w(out);
  w.u32(msg.id);
  write_name(w, msg.name);
  return finish(w);
}

size_t encode(const Left& msg, std::span<uint8_t> out) {
  ByteWriter w(out);
  w.u32(msg.id);
  return finish(w);
}

size_t encode(const Resize& msg, std::span<uint8_t> out) {
  ByteWriter w(out);
  w.u16(msg.cols);
  w.u16(msg.rows);
  w.u8(uint8_t(msg.layout));
  w.u32(msg.pinned_id);
  w.u8(msg.gallery);
  return finish(w);
}

size_t encode(const MediaState& msg, std::span<uint8_t> out) {
  ByteWriter w(out);
  w.u8(msg.flags);
  return finish(w);
}

size_t encode(const Ping& msg, std::span<uint8_t> out) {
  ByteWriter w(out);
  w.u64(msg.timestamp_us);
  return finish(w);
}

size_t encode(const Bye& msg, std::span<uint8_t> out) {
  if (msg.text_len > kMaxByeText) return 0;
  ByteWriter w(out);
  w.u8(uint8_t(msg.reason));
  w.u8(msg.text_len);
  w.bytes(msg.view());
  return finish(w);
}

size_t encode(const VideoRequest& msg, std::span<uint8_t> out) {
  ByteWriter w(out);
  w.u16(msg.width);
  w.u16(msg.height);
  w.u16(msg.fps);
  return finish(w);
}

size_t encode(const VideoUpHeader& msg, std::span<uint8_t> out) {
  ByteWriter w(out);
  w.u32(msg.seq);
  w.u64(msg.capture_us);
  w.u16(msg.width);
  w.u16(msg.height);
  return finish(w);
}

size_t encode(const VideoDownHeader& msg, std::span<uint8_t> out) {
  if (msg.source_count > kMaxFrameSources || msg.label_count > kMaxLabels ||
      msg.tile_count > kMaxFrameTiles) {
    return 0;
  }
  ByteWriter w(out);
  w.u32(msg.frame_number);
  w.u16(msg.cols);
  w.u16(msg.rows);
  w.u8(uint8_t(msg.format));
  w.u8(msg.quality);
  w.u32(msg.tables_hash);
  w.u8(msg.source_count);
  w.u8(msg.label_count);
  w.u8(msg.tile_count);
  for (size_t i = 0; i < msg.source_count; ++i) {
    w.u32(msg.sources[i].participant_id);
    w.u64(msg.sources[i].capture_us);
  }
  for (size_t i = 0; i < msg.label_count; ++i) {
    const FrameLabel& label = msg.labels[i];
    if (label.name.len > kMaxNameBytes) return 0;
    w.u16(label.col);
    w.u16(label.row);
    w.u16(label.width);
    w.u8(label.style);
    write_name(w, label.name);
  }
  for (size_t i = 0; i < msg.tile_count; ++i) {
    const FrameTile& tile = msg.tiles[i];
    w.u16(tile.col);
    w.u16(tile.row);
    w.u16(tile.cols);
    w.u16(tile.rows);
  }
  return finish(w);
}

size_t encode(const AudioUpHeader& msg, std::span<uint8_t> out) {
  ByteWriter w(out);
  w.u32(msg.seq);
  w.u64(msg.capture_us);
  w.u8(msg.flags);
  return finish(w);
}

size_t encode(const AudioDownHeader& msg, std::span<uint8_t> out) {
  if (msg.speaker_count > kMaxAudioSpeakers) return 0;
  ByteWriter w(out);
  w.u32(msg.seq);
  w.u64(msg.capture_us);
  w.u8(msg.speaker_count);
  for (size_t i = 0; i < msg.speaker_count; ++i) w.u32(msg.speakers[i]);
  return finish(w);
}

size_t encode(const KeyHello& msg, std::span<uint8_t> out) {
  ByteWriter w(out);
  w.u16(msg.protocol_version);
  w.u8(msg.mode);
  w.bytes(msg.exchange_key);
  return finish(w);
}

size_t encode(const KeyWelcome& msg, std::span<uint8_t> out) {
  ByteWriter w(out);
  w.bytes(msg.exchange_key);
  w.bytes(msg.identity);
  w.bytes(msg.signature);
  w.u8(msg.requirements);
  w.bytes(msg.password_salt);
  return finish(w);
}

size_t encode(const Auth& msg, std::span<uint8_t> out) {
  ByteWriter w(out);
  w.bytes(msg.identity);
  w.bytes(msg.signature);
  w.u8(msg.has_password);
  w.bytes(msg.password_proof);
  return finish(w);
}

size_t encode(const ListRooms& msg, std::span<uint8_t> out) {
  ByteWriter w(out);
  w.u16(msg.protocol_version);
  return finish(w);
}

size_t encode(const RoomList& msg, std::span<uint8_t> out) {
  if (msg.count > kMaxListedRooms) return 0;
  ByteWriter w(out);
  w.u16(msg.total);
  w.u16(msg.count);
  for (size_t i = 0; i < msg.count; ++i) {
    if (msg.rooms[i].name.len > kMaxRoomNameBytes) return 0;
    w.u16(msg.rooms[i].members);
    write_name(w, msg.rooms[i].name);
  }
  return finish(w);
}

// ---- decoders ---------------------------------------------------------------------------

namespace {
template <size_t N>
void read_array(ByteReader& r, std::array<uint8_t, N>& out) {
  const auto bytes = r.bytes(N);
  if (bytes.size() == N) std::memcpy(out.data(), bytes.data(), N);
}
}  // namespace

bool decode(std::span<const uint8_t> in, KeyHello& out) {
  ByteReader r(in);
  KeyHello m;
  m.protocol_version = r.u16();
  m.mode = r.u8();
  read_array(r, m.exchange_key);
  // A different version may lay out the rest differently: only the version must parse.
  if (!r.done() || m.mode != kModeEncrypted) return false;
  out = m;
  return true;
}

bool decode(std::span<const uint8_t> in, KeyWelcome& out) {
  ByteReader r(in);
  KeyWelcome m;
  read_array(r, m.exchange_key);
  read_array(r, m.identity);
  read_array(r, m.signature);
  m.requirements = r.u8();
  read_array(r, m.password_salt);
  if (!r.done() || (m.requirements & ~(kNeedsPassword | kNeedsAllowedKey)) != 0) return false;
  out = m;
  return true;
}

bool decode(std::span<const uint8_t> in, Auth& out) {
  ByteReader r(in);
  Auth m;
  read_array(r, m.identity);
  read_array(r, m.signature);
  m.has_password = r.u8();
  read_array(r, m.password_proof);
  if (!r.done() || m.has_password > 1) return false;
  out = m;
  return true;
}

bool decode(std::span<const uint8_t> in, Hello& out) {
  ByteReader r(in);
  Hello m;
  m.protocol_version = r.u16();
  m.cols = r.u16();
  m.rows = r.u16();
  if (!terminal_size_ok(m.cols, m.rows)) return false;
  if (!read_name(r, m.name) || !read_room_name(r, m.room, /*allow_empty=*/true)) return false;
  m.has_room_password = r.u8();
  read_array(r, m.room_proof);
  if (!r.done() || m.has_room_password > 1) return false;
  out = m;
  return true;
}

bool decode(std::span<const uint8_t> in, ListRooms& out) {
  ByteReader r(in);
  ListRooms m;
  m.protocol_version = r.u16();
  if (!r.done()) return false;
  out = m;
  return true;
}

bool decode(std::span<const uint8_t> in, RoomList& out) {
  ByteReader r(in);
  RoomList m;
  m.total = r.u16();
  m.count = r.u16();
  if (!r.ok() || m.count > kMaxListedRooms || m.count > m.total) return false;
  for (size_t i = 0; i < m.count; ++i) {
    m.rooms[i].members = r.u16();
    if (!read_room_name(r, m.rooms[i].name, /*allow_empty=*/false)) return false;
  }
  if (!r.done()) return false;
  out = m;
  return true;
}

bool decode(std::span<const uint8_t> in, Welcome& out) {
  ByteReader r(in);
  Welcome m;
  m.participant_id = r.u32();
  m.fps = r.u16();
  if (!r.done()) return false;
  out = m;
  return true;
}

bool decode(std::span<const uint8_t> in, Participants& out) {
  ByteReader r(in);
  Participants m;
  m.total = r.u16();
  m.count = r.u16();
  if (!r.ok() || m.count > kMaxListedParticipants || m.total < m.count) return false;
  for (size_t i = 0; i < m.count; ++i) {
    ParticipantInfo& p = m.list[i];
    p.id = r.u32();
    p.flags = r.u8();
    if (!read_name(r, p.name)) return false;
  }
  if (!r.done()) return false;
  out = m;
  return true;
}

bool decode(std::span<const uint8_t> in, Joined& out) {
  ByteReader r(in);
  Joined m;
  m.id = r.u32();
  if (!read_name(r, m.name) || !r.done()) return false;
  out = m;
  return true;
}

bool decode(std::span<const uint8_t> in, Left& out) {
  ByteReader r(in);
  Left m;
  m.id = r.u32();
  if (!r.done()) return false;
  out = m;
  return true;
}

bool decode(std::span<const uint8_t> in, Resize& out) {
  ByteReader r(in);
  Resize m;
  m.cols = r.u16();
  m.rows = r.u16();
  const uint8_t layout = r.u8();
  m.pinned_id = r.u32();
  m.gallery = r.u8();
  if (!r.done() || layout >= kViewLayoutCount || !terminal_size_ok(m.cols, m.rows) ||
      m.gallery > kMaxGallery) {
    return false;
  }
  m.layout = ViewLayout(layout);
  out = m;
  return true;
}

bool decode(std::span<const uint8_t> in, MediaState& out) {
  ByteReader r(in);
  MediaState m;
  m.flags = r.u8();
  if (!r.done() || (m.flags & ~uint8_t(kMediaVideoOff)) != 0) return false;
  out = m;
  return true;
}

bool decode(std::span<const uint8_t> in, Ping& out) {
  ByteReader r(in);
  Ping m;
  m.timestamp_us = r.u64();
  if (!r.done()) return false;
  out = m;
  return true;
}

bool decode(std::span<const uint8_t> in, Bye& out) {
  ByteReader r(in);
  Bye m;
  const uint8_t reason = r.u8();
  m.text_len = r.u8();
  if (!r.ok() || !is_known_bye_reason(reason) || m.text_len > kMaxByeText) {
    return false;
  }
  m.reason = ByeReason(reason);
  const auto text = r.bytes(m.text_len);
  if (!r.done() || !is_clean_text(text)) return false;
  if (!text.empty()) std::memcpy(m.text.data(), text.data(), text.size());
  out = m;
  return true;
}

bool decode(std::span<const uint8_t> in, VideoRequest& out) {
  ByteReader r(in);
  VideoRequest m;
  m.width = r.u16();
  m.height = r.u16();
  m.fps = r.u16();
  if (!r.done() || m.fps > kMaxFps) return false;
  const bool no_video = m.width == 0 && m.height == 0;
  if (!no_video && !video_size_ok(m.width, m.height)) return false;
  out = m;
  return true;
}

bool decode(std::span<const uint8_t> in, VideoUpHeader& out, std::span<const uint8_t>& rest) {
  ByteReader r(in);
  VideoUpHeader m;
  m.seq = r.u32();
  m.capture_us = r.u64();
  m.width = r.u16();
  m.height = r.u16();
  if (!r.ok() || !video_size_ok(m.width, m.height)) return false;
  const auto jpeg = r.rest();
  if (jpeg.empty()) return false;
  out = m;
  rest = jpeg;
  return true;
}

bool decode(std::span<const uint8_t> in, VideoDownHeader& out, std::span<const uint8_t>& rest) {
  ByteReader r(in);
  VideoDownHeader m;
  m.frame_number = r.u32();
  m.cols = r.u16();
  m.rows = r.u16();
  const uint8_t format = r.u8();
  m.quality = r.u8();
  m.tables_hash = r.u32();
  m.source_count = r.u8();
  m.label_count = r.u8();
  m.tile_count = r.u8();
  if (!r.ok() || !terminal_size_ok(m.cols, m.rows)) return false;
  if (format != uint8_t(PictureFormat::kJpeg) || m.quality < 1 || m.quality > 100) return false;
  m.format = PictureFormat(format);
  if (m.source_count > kMaxFrameSources || m.label_count > kMaxLabels ||
      m.tile_count > kMaxFrameTiles) {
    return false;
  }
  for (size_t i = 0; i < m.source_count; ++i) {
    m.sources[i].participant_id = r.u32();
    m.sources[i].capture_us = r.u64();
  }
  for (size_t i = 0; i < m.label_count; ++i) {
    FrameLabel& label = m.labels[i];
    label.col = r.u16();
    label.row = r.u16();
    label.width = r.u16();
    label.style = r.u8();
    if (!read_name(r, label.name)) return false;
    // Inside the view, one row: the client checks again as it draws.
    if (label.style > kLabelSpeaking || label.row >= m.rows || label.width == 0 ||
        label.col + label.width > m.cols) {
      return false;
    }
  }
  for (size_t i = 0; i < m.tile_count; ++i) {
    FrameTile& tile = m.tiles[i];
    tile.col = r.u16();
    tile.row = r.u16();
    tile.cols = r.u16();
    tile.rows = r.u16();
    // Inside the view and not empty; tiles do not overlap, but overlapping ones harm nothing.
    if (tile.cols == 0 || tile.rows == 0 || tile.col + tile.cols > m.cols ||
        tile.row + tile.rows > m.rows) {
      return false;
    }
  }
  if (!r.ok()) return false;
  const auto picture = r.rest();
  if (picture.empty()) return false;
  out = m;
  rest = picture;
  return true;
}

bool decode(std::span<const uint8_t> in, AudioUpHeader& out, std::span<const uint8_t>& rest) {
  ByteReader r(in);
  AudioUpHeader m;
  m.seq = r.u32();
  m.capture_us = r.u64();
  m.flags = r.u8();
  if (!r.ok() || (m.flags & ~uint8_t(kAudioSilent)) != 0) return false;
  const auto opus = r.rest();
  if (opus.empty() || opus.size() > kMaxOpusPacketBytes) return false;
  out = m;
  rest = opus;
  return true;
}

bool decode(std::span<const uint8_t> in, AudioDownHeader& out, std::span<const uint8_t>& rest) {
  ByteReader r(in);
  AudioDownHeader m;
  m.seq = r.u32();
  m.capture_us = r.u64();
  m.speaker_count = r.u8();
  if (!r.ok() || m.speaker_count > kMaxAudioSpeakers) return false;
  for (size_t i = 0; i < m.speaker_count; ++i) m.speakers[i] = r.u32();
  if (!r.ok()) return false;
  const auto opus = r.rest();
  if (opus.empty() || opus.size() > kMaxOpusPacketBytes) return false;
  out = m;
  rest = opus;
  return true;
}

}  // namespace ttycall::net

// ---- chat ---------------------------------------------------------------------------------

namespace ttycall::net {

size_t encode(const ChatSend& msg, std::span<uint8_t> out) {
  if (msg.text_len > kMaxChatSendBytes) return 0;
  ByteWriter w(out);
  w.u16(msg.text_len);
  w.bytes(msg.view());
  return finish(w);
}

size_t encode(const ChatMessage& msg, std::span<uint8_t> out) {
  if (msg.sender.len > kMaxNameBytes || msg.text_len > kMaxChatTextBytes) return 0;
  ByteWriter w(out);
  w.u32(msg.sender_id);
  write_name(w, msg.sender);
  w.u64(msg.time_us);
  w.u8(msg.flags);
  w.u16(msg.text_len);
  w.bytes(msg.view());
  return finish(w);
}

size_t encode(const ChatRefused& msg, std::span<uint8_t> out) {
  if (msg.text_len > msg.text.size()) return 0;
  ByteWriter w(out);
  w.u8(uint8_t(msg.reason));
  w.u8(msg.text_len);
  w.bytes(msg.view());
  return finish(w);
}

bool decode(std::span<const uint8_t> in, ChatSend& out) {
  ByteReader r(in);
  const uint16_t len = r.u16();
  if (!r.ok() || len == 0 || len > kMaxChatSendBytes) return false;
  const auto text = r.bytes(len);
  if (!r.done()) return false;
  out.text_len = len;
  std::memcpy(out.text.data(), text.data(), len);
  return true;
}

bool decode(std::span<const uint8_t> in, ChatMessage& out) {
  ByteReader r(in);
  ChatMessage m;
  m.sender_id = r.u32();
  if (!read_name(r, m.sender)) return false;
  m.time_us = r.u64();
  m.flags = r.u8();
  m.text_len = r.u16();
  if (!r.ok() || (m.flags & ~uint8_t(kChatHistory)) != 0 || m.text_len == 0 ||
      m.text_len > kMaxChatTextBytes) {
    return false;
  }
  const auto text = r.bytes(m.text_len);
  if (!r.done()) return false;
  const std::string_view view(reinterpret_cast<const char*>(text.data()), text.size());
  if (!core::check_safe_text(view, kMaxChatTextBytes).ok()) return false;
  std::memcpy(m.text.data(), text.data(), text.size());
  out = m;
  return true;
}

bool decode(std::span<const uint8_t> in, ChatRefused& out) {
  ByteReader r(in);
  ChatRefused m;
  const uint8_t reason = r.u8();
  m.text_len = r.u8();
  if (!r.ok() || reason < uint8_t(ChatRefusal::kBadText) ||
      reason > uint8_t(ChatRefusal::kRateLimited) || m.text_len > m.text.size()) {
    return false;
  }
  m.reason = ChatRefusal(reason);
  const auto text = r.bytes(m.text_len);
  if (!r.done() || !is_clean_text(text)) return false;
  if (!text.empty()) std::memcpy(m.text.data(), text.data(), text.size());
  out = m;
  return true;
}

}  // namespace ttycall::net
