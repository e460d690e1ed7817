#pragma once
// Protocol v4: framing, limits and payload codecs. See docs/PROTOCOL.md.
//
// Every packet is a 16-byte header followed by `length` payload bytes, little-endian:
//   u32 magic "TTYC" | u8 version | u8 type | u16 flags | u32 length | u32 crc32c(payload)
// After the key exchange every payload is sealed (secure_channel.h); the CRC covers the
// payload bytes as they travel.
// parse_header() checks every header field, including the per-type payload limit, before
// any payload buffer is taken. Payload codecs encode into caller buffers and decode into
// fixed-size structs: nothing here allocates.
#include <algorithm>
#include <array>
#include <cstddef>
#include <cstdint>
#include <span>
#include <string_view>
#include <tuple>

namespace ttycall::net {

constexpr uint32_t kMagic = 0x43595454;  // bytes 'T' 'T' 'Y' 'C' on the wire
constexpr uint8_t kProtocolVersion = 5;
constexpr size_t kHeaderSize = 16;
constexpr int kMaxNameBytes = 32;
constexpr int kMaxListedParticipants = 64;  // entries of one Participants list
constexpr int kMaxLabels = 64;              // tile labels of one VideoDown (one per tile)
constexpr int kMaxGallery = 64;             // tiles a viewer may ask for (Resize.gallery)
constexpr int kMaxTerminalCols = 1000;
constexpr int kMaxTerminalRows = 500;
constexpr int kMaxVideoWidth = 1920;
constexpr int kMaxVideoHeight = 1080;
constexpr int kMaxFrameSources = 64;
constexpr int kMaxFrameTiles = 64;  // tiles of one VideoDown
constexpr int kMaxRoomNameBytes = 32;
constexpr int kMaxListedRooms = 64;  // entries of one RoomList
// Chat: a message holds at most kMaxChatTextBytes; a ChatSend may carry up to
// kMaxChatSendBytes, so that a longer one is refused with a reason (the connection stays)
// rather than failing the framing.
constexpr int kMaxChatTextBytes = 500;
constexpr int kMaxChatSendBytes = 1000;
// A cluster (net/cluster_protocol.h): a node's advertised HOST:PORT, the nodes one
// ClusterNodes names, the rooms one ClusterRoomList carries (kept small enough that no
// control packet grows).
constexpr int kMaxNodeAddressBytes = 48;
constexpr int kMaxClusterNodes = 16;
constexpr int kMaxListedClusterRooms = 28;

enum class MsgType : uint8_t {
  kHello = 0x01,         // c->s  first packet of a connection
  kWelcome = 0x02,       // s->c  answer to hello: your id
  kParticipants = 0x03,  // s->c  the full list, sent on join and whenever it changes
  kJoined = 0x04,        // s->c  someone joined
  kLeft = 0x05,          // s->c  someone left
  kResize = 0x06,        // c->s  new terminal size or layout
  kPing = 0x07,          // both  RTT probe
  kPong = 0x08,          // both  echo of a ping's timestamp
  kBye = 0x09,           // both  orderly close, with a reason
  kVideoRequest = 0x0A,  // s->c  the size (and rate) of video the server wants
  kVideoUp = 0x0B,       // c->s  one JPEG camera frame
  kVideoDown = 0x0C,     // s->c  one composed picture of a view, with its tile labels
  kAudioUp = 0x0D,       // c->s  one Opus packet of the microphone
  kAudioDown = 0x0E,     // s->c  one Opus packet of the mix this listener hears
  // The key exchange (see key_exchange.h): KeyHello and KeyWelcome travel in the clear, and
  // every packet after them is sealed, Auth first.
  kKeyHello = 0x10,    // c->s  first packet of an encrypted connection: an ephemeral key
  kKeyWelcome = 0x11,  // s->c  the server's ephemeral key, signed by its identity
  kAuth = 0x12,        // c->s  the client's identity and, if asked for, password proof
  kMediaState = 0x20,  // c->s  what this participant sends now (camera on/off)
  kListRooms = 0x21,   // c->s  instead of Hello: which rooms are there?
  kRoomList = 0x22,    // s->c  the answer: each room's name and member count
  // Text chat (0x30-0x3F).
  kChatSend = 0x30,     // c->s  a message to the room
  kChatMessage = 0x31,  // s->c  a message in the room (relayed, or history for a late joiner)
  kChatRefused = 0x32,  // s->c  your ChatSend was not relayed, and why
  // A cluster of servers (0x40-0x4F; net/cluster_protocol.h, docs/CLUSTER.md).
  kRedirect = 0x40,         // s->c  instead of Welcome: your room is on this other node
  kClusterNodes = 0x41,     // s->c  after Welcome: the cluster's other nodes, for reconnects
  kClusterRoomList = 0x42,  // s->c  the answer to ListRooms of a clustered server
};

// Header flag: the payload is sealed (encrypted, then a kSealOverhead-byte tag).
constexpr uint16_t kFlagSealed = 0x0001;
constexpr size_t kSealOverhead = 16;

bool is_known_type(uint8_t type);
std::string_view to_string(MsgType type);

struct Header {
  MsgType type{};
  uint16_t flags = 0;
  uint32_t length = 0;
  uint32_t crc = 0;
  bool sealed() const { return (flags & kFlagSealed) != 0; }
};

enum class HeaderError : uint8_t {
  kOk,
  kBadMagic,
  kBadVersion,
  kUnknownType,
  kBadFlags,  // a bit other than kFlagSealed is set
  kTooLarge,  // length above max_payload(type) (+ kSealOverhead when sealed)
  kTooSmall,  // sealed, but shorter than the tag
};
std::string_view to_string(HeaderError error);

HeaderError parse_header(std::span<const uint8_t, kHeaderSize> bytes, Header& out);
// Writes a header for `payload` (computing its CRC32C) into `out`.
void write_header(MsgType type, std::span<const uint8_t> payload,
                  std::span<uint8_t, kHeaderSize> out);
bool payload_crc_matches(const Header& header, std::span<const uint8_t> payload);

// A short UTF-8 display name held inline.
struct Name {
  uint8_t len = 0;
  std::array<char, kMaxNameBytes> bytes{};
  std::string_view view() const { return {bytes.data(), len}; }
  // Copies at most kMaxNameBytes bytes, cut on a UTF-8 boundary, control characters dropped.
  static Name from(std::string_view text);
};

// A room's name: 1-kMaxRoomNameBytes bytes of well-formed UTF-8, every code point one a
// terminal shows as it is (no controls, no format or bidi characters, no combining marks),
// so a name cannot pass for another when printed.
bool is_valid_room_name(std::string_view name);

// How the picture is turned into text (render and colour mode) is the client's own
// business since v2: it never travels.
struct Hello {
  uint16_t protocol_version = kProtocolVersion;
  uint16_t cols = 0;  // the picture's size in terminal cells
  uint16_t rows = 0;
  Name name;
  Name room;  // len 0: the server's default room; else is_valid_room_name()
  uint8_t has_room_password = 0;
  std::array<uint8_t, 32> room_proof{};  // zero when has_room_password is 0 (key_exchange.h)
};

struct Welcome {
  uint32_t participant_id = 0;
  uint16_t fps = 0;
};

struct ParticipantInfo {
  uint32_t id = 0;
  uint8_t flags = 0;  // ParticipantFlags
  Name name;
};
enum ParticipantFlags : uint8_t { kHasVideo = 1, kSpeaking = 2, kMuted = 4 };

// A room can hold more members than one list carries: the list holds the first
// kMaxListedParticipants in the room's gallery order (recent speakers, then cameras, then
// join order), and `total` says how many there are in all.
struct Participants {
  uint16_t total = 0;  // members in the room; sent as at least `count`
  uint16_t count = 0;
  std::array<ParticipantInfo, kMaxListedParticipants> list{};
};

struct Joined {
  uint32_t id = 0;
  Name name;
};

struct Left {
  uint32_t id = 0;
};

// How a viewer's participants are arranged.
enum class ViewLayout : uint8_t {
  kGrid = 0,   // everyone the same size
  kFocus = 1,  // one large tile (the pinned participant, or the latest speaker), the rest small
};
constexpr int kViewLayoutCount = 2;

struct Resize {
  uint16_t cols = 0;
  uint16_t rows = 0;
  ViewLayout layout = ViewLayout::kGrid;
  uint32_t pinned_id = 0;  // the first tile (with kFocus: the large one); 0 = the speaker
  uint8_t gallery = 0;     // most tiles to show, 1..kMaxGallery; 0 = the server's --gallery
};
constexpr size_t kResizeSize = 10;

enum MediaStateFlags : uint8_t {
  kMediaVideoOff = 1,  // the camera is switched off: show the name only
};
struct MediaState {
  uint8_t flags = 0;  // MediaStateFlags; other bits must be 0
};

struct Ping {
  uint64_t timestamp_us = 0;  // sender's clock; echoed unchanged in Pong
};

enum class ByeReason : uint8_t {
  kNormal = 0,
  kServerFull = 1,
  kProtocolError = 2,
  kVersionMismatch = 3,
  kTimeout = 4,
  kShutdown = 5,
  kEncryptionRequired = 6,  // an --insecure client reached a server that encrypts
  kNotEncrypted = 7,        // an encrypting client reached an --insecure server
  kAuthFailed = 8,          // wrong or missing password
  kKeyNotAllowed = 9,       // the client's key is not in the server's --allowed-keys
  kNoSuchRoom = 10,         // the server has a room list (--rooms FILE) without this room
  kRoomFull = 11,           // the room has its maximum of members
  kRoomPassword = 12,       // the room has a password, and it was wrong or missing
  kNotListed = 13,          // ListRooms to a server that does not list its rooms
  // 20-29: what a participant typed (core/safe_text.h).
  kBadName = 20,  // the Hello's name has characters a name may not (bidi, format, ...)
  // Refusals before joining, to be retried later (30-39).
  kTooManyConnections = 30,  // the address (or the server) has too many unfinished connections
  kSlowDown = 31,            // too many connections, key exchanges or wrong passwords lately
  // A cluster (40-49): the client goes on at another node or tries again shortly.
  kDraining = 40,            // this node is shutting down: reconnect to another node now
  kClusterUnavailable = 41,  // the room could not be placed (the cluster's store is away)
};
// Whether `reason` asks the client to try again later (the 30-39 range).
constexpr bool is_retry_later(ByeReason reason) {
  return uint8_t(reason) >= 30 && uint8_t(reason) <= 39;
}
// Whether `reason` is a cluster's "go on elsewhere or shortly" (the 40-49 range).
constexpr bool is_cluster_retry(ByeReason reason) {
  return uint8_t(reason) >= 40 && uint8_t(reason) <= 49;
}
// Whether `reason` is one of the values above.
constexpr bool is_known_bye_reason(uint8_t reason) {
  return reason <= uint8_t(ByeReason::kNotListed) || reason == uint8_t(ByeReason::kBadName) ||
         (reason >= uint8_t(ByeReason::kTooManyConnections) &&
          reason <= uint8_t(ByeReason::kSlowDown)) ||
         (reason >= uint8_t(ByeReason::kDraining) &&
          reason <= uint8_t(ByeReason::kClusterUnavailable));
}
struct Bye {
  ByeReason reason = ByeReason::kNormal;
  uint8_t text_len = 0;
  std::array<char, 120> text{};
  std::string_view view() const { return {text.data(), text_len}; }
  static Bye make(ByeReason reason, std::string_view text);
};

struct VideoRequest {
  uint16_t width = 0;  // 0 x 0: send no video
  uint16_t height = 0;
  uint16_t fps = 0;
};

// VideoUp payload = fixed part then JPEG bytes.
struct VideoUpHeader {
  uint32_t seq = 0;
  uint64_t capture_us = 0;  // sender's wall clock (CLOCK_REALTIME, microseconds)
  uint16_t width = 0;
  uint16_t height = 0;
};
constexpr size_t kVideoUpHeaderSize = 16;

struct FrameSource {
  uint32_t participant_id = 0;
  uint64_t capture_us = 0;
};

// Text the client draws over the picture: a tile's name, centred by the client (by display
// width, after checking every code point) in cells [col, col + width) of `row`.
enum LabelStyle : uint8_t { kLabelPlain = 0, kLabelSpeaking = 1 };
struct FrameLabel {
  uint16_t col = 0;
  uint16_t row = 0;
  uint16_t width = 0;
  uint8_t style = kLabelPlain;  // LabelStyle
  Name name;
};

// Where a tile of the view lies, in cells. The picture holds the pixels of its tiles only:
// the receiver paints everything outside them black (media/tiles_only.h).
struct FrameTile {
  uint16_t col = 0;
  uint16_t row = 0;
  uint16_t cols = 0;
  uint16_t rows = 0;
};

enum class PictureFormat : uint8_t {
  // Baseline JPEG, 4:4:4, cols x rows*2 pixels, abbreviated: without its quantisation and
  // Huffman tables (and APPn), which are libjpeg's standard ones for `quality`; the
  // receiver makes them itself (media/jpeg_tables.h) and checks them by `tables_hash`.
  kJpeg = 1,
};

// VideoDown payload = fixed part, source_count FrameSource entries, label_count FrameLabel
// entries, then the picture: the view's grid at cols x rows*2 pixels (what half blocks
// show), encoded in `format`.
struct VideoDownHeader {
  uint32_t frame_number = 0;
  uint16_t cols = 0;
  uint16_t rows = 0;
  PictureFormat format = PictureFormat::kJpeg;
  uint8_t quality = 0;       // 1..100: the JPEG quality whose tables the picture leaves out
  uint32_t tables_hash = 0;  // media::JpegTables::hash() of those tables
  uint8_t source_count = 0;
  uint8_t label_count = 0;
  uint8_t tile_count = 0;  // 0: the whole picture is the picture
  std::array<FrameSource, kMaxFrameSources> sources{};
  std::array<FrameLabel, kMaxLabels> labels{};
  std::array<FrameTile, kMaxFrameTiles> tiles{};
};
constexpr size_t kVideoDownFixedSize = 17;
constexpr size_t kFrameTileSize = 8;
constexpr size_t kFrameSourceSize = 12;
constexpr size_t kFrameLabelFixedSize = 8;  // then the name's bytes

// AudioUp payload = fixed part then one Opus packet (one 20 ms frame, 48 kHz mono).
enum AudioUpFlags : uint8_t {
  kAudioSilent = 1,  // the sender is muted (or its frame is silence): nothing to mix
};
struct AudioUpHeader {
  uint32_t seq = 0;         // +1 per 20 ms frame of this client, wraps
  uint64_t capture_us = 0;  // sender's wall clock (CLOCK_REALTIME) when the frame was captured
  uint8_t flags = 0;        // AudioUpFlags; bits 1-7 must be 0
};
constexpr size_t kAudioUpHeaderSize = 13;
constexpr size_t kMaxOpusPacketBytes = 1275;  // the largest packet libopus produces
constexpr int kMaxAudioSpeakers = 16;

// AudioDown payload = fixed part, speaker_count participant ids, then one Opus packet. The
// server encodes a mix once and sends the same payload to every listener of that mix.
struct AudioDownHeader {
  uint32_t seq = 0;           // the server's audio tick, +1 per 20 ms, the same for everyone
  uint64_t capture_us = 0;    // newest capture_us among the sources in this mix (0: none)
  uint8_t speaker_count = 0;  // 0-16: who is speaking now (first 16 if more)
  std::array<uint32_t, kMaxAudioSpeakers> speakers{};
};
constexpr size_t kAudioDownFixedSize = 13;

// The key exchange. Keys and signatures are raw bytes; see key_exchange.h for what is signed.
constexpr size_t kKeyBytes = 32;
constexpr size_t kSigBytes = 64;
constexpr size_t kSaltBytes = 16;
enum KeyExchangeMode : uint8_t { kModeEncrypted = 1 };
struct KeyHello {
  uint16_t protocol_version = kProtocolVersion;
  uint8_t mode = kModeEncrypted;
  std::array<uint8_t, kKeyBytes> exchange_key{};  // the client's ephemeral X25519 key
};
enum AuthRequirements : uint8_t { kNeedsPassword = 1, kNeedsAllowedKey = 2 };
struct KeyWelcome {
  std::array<uint8_t, kKeyBytes> exchange_key{};  // the server's ephemeral X25519 key
  std::array<uint8_t, kKeyBytes> identity{};      // the server's long-term Ed25519 key
  std::array<uint8_t, kSigBytes> signature{};     // by `identity`, over the transcript
  uint8_t requirements = 0;                       // AuthRequirements
  std::array<uint8_t, kSaltBytes> password_salt{};
};
struct Auth {
  std::array<uint8_t, kKeyBytes> identity{};   // the client's long-term Ed25519 key
  std::array<uint8_t, kSigBytes> signature{};  // by `identity`, over the transcript
  uint8_t has_password = 0;
  std::array<uint8_t, kKeyBytes> password_proof{};  // zero when has_password is 0
};

// Instead of Hello, a client may ask which rooms there are (`ttycall rooms`); the server
// answers RoomList (or Bye(kNotListed)) and closes.
struct ListRooms {
  uint16_t protocol_version = kProtocolVersion;
};
struct RoomInfo {
  uint16_t members = 0;
  Name name;
};
struct RoomList {
  uint16_t total = 0;  // rooms on the server; more than `count` when the list was cut
  uint16_t count = 0;
  std::array<RoomInfo, kMaxListedRooms> rooms{};
};

// Chat. The server checks a ChatSend's text (core/safe_text.h) and relays it to everyone in
// the room, the sender included, as a ChatMessage; or answers ChatRefused.
struct ChatSend {
  uint16_t text_len = 0;  // 1..kMaxChatSendBytes; the text is checked by the server, not here
  std::array<char, kMaxChatSendBytes> text{};
  std::string_view view() const { return {text.data(), text_len}; }
  static ChatSend make(std::string_view text);  // cut at kMaxChatSendBytes
};
enum ChatFlags : uint8_t {
  kChatHistory = 1,  // sent before you joined: part of the room's history
};
struct ChatMessage {
  uint32_t sender_id = 0;
  Name sender;            // the sender's name in the room, as the list shows it
  uint64_t time_us = 0;   // the server's wall clock (CLOCK_REALTIME) when it relayed it
  uint8_t flags = 0;      // ChatFlags; other bits must be 0
  uint16_t text_len = 0;  // 1..kMaxChatTextBytes of safe text (core/safe_text.h)
  std::array<char, kMaxChatTextBytes> text{};
  std::string_view view() const { return {text.data(), text_len}; }
};
enum class ChatRefusal : uint8_t {
  kBadText = 1,      // characters chat may not have (controls, bidi, format, ...)
  kTooLong = 2,      // more than kMaxChatTextBytes
  kRateLimited = 3,  // over the per-participant message rate
};
struct ChatRefused {
  ChatRefusal reason = ChatRefusal::kBadText;
  uint8_t text_len = 0;
  std::array<char, 120> text{};  // for people: what exactly was wrong
  std::string_view view() const { return {text.data(), text_len}; }
  static ChatRefused make(ChatRefusal reason, std::string_view text);
};

// Largest payload accepted for a type; 0 for unknown types. Every buffer that holds a
// packet is sized from these limits (connection.h), so no valid packet can miss its buffer.
constexpr size_t max_payload(MsgType type) {
  switch (type) {
    case MsgType::kHello:
      return 128;
    case MsgType::kWelcome:
      return 6;
    case MsgType::kParticipants:
      return 4 + size_t(kMaxListedParticipants) * (6 + kMaxNameBytes);
    case MsgType::kJoined:
      return 5 + kMaxNameBytes;
    case MsgType::kLeft:
      return 4;
    case MsgType::kResize:
      return kResizeSize;
    case MsgType::kMediaState:
      return 1;
    case MsgType::kListRooms:
      return 2;
    case MsgType::kRoomList:
      return 4 + size_t(kMaxListedRooms) * (3 + kMaxRoomNameBytes);
    case MsgType::kPing:
    case MsgType::kPong:
      return 8;
    case MsgType::kBye:
      return 2 + std::tuple_size_v<decltype(Bye::text)>;
    case MsgType::kVideoRequest:
      return 6;
    case MsgType::kVideoUp:
      return size_t(1) << 20;
    case MsgType::kVideoDown:
      return size_t(8) << 20;
    case MsgType::kAudioUp:
    case MsgType::kAudioDown:
      return 1500;
    case MsgType::kKeyHello:
      return 3 + kKeyBytes;
    case MsgType::kKeyWelcome:
      return 2 * kKeyBytes + kSigBytes + 1 + kSaltBytes;
    case MsgType::kAuth:
      return kKeyBytes + kSigBytes + 1 + kKeyBytes;
    case MsgType::kChatSend:
      return 2 + kMaxChatSendBytes;
    case MsgType::kChatMessage:
      return 4 + 1 + kMaxNameBytes + 8 + 1 + 2 + kMaxChatTextBytes;
    case MsgType::kChatRefused:
      return 2 + std::tuple_size_v<decltype(ChatRefused::text)>;
    case MsgType::kRedirect:
      return 1 + kMaxNodeAddressBytes + kKeyBytes;
    case MsgType::kClusterNodes:
      return 1 + size_t(kMaxClusterNodes) * (1 + kMaxNodeAddressBytes + kKeyBytes);
    case MsgType::kClusterRoomList:
      return 4 +
             size_t(kMaxListedClusterRooms) * (3 + kMaxRoomNameBytes + 1 + kMaxNodeAddressBytes);
  }
  return 0;
}

// The traffic classes a connection queues separately (connection.h): video frames, audio
// packets, and control (everything else). Video is the only class whose packets can be
// large; the others fit fixed slots sized here from the per-type limits.
constexpr bool is_video(MsgType type) {
  return type == MsgType::kVideoUp || type == MsgType::kVideoDown;
}
constexpr bool is_audio(MsgType type) {
  return type == MsgType::kAudioUp || type == MsgType::kAudioDown;
}
constexpr size_t max_control_payload() {
  size_t largest = 0;
  for (int t = 0; t < 256; ++t) {
    const MsgType type = MsgType(t);
    if (!is_video(type) && !is_audio(type) && max_payload(type) > largest) {
      largest = max_payload(type);
    }
  }
  return largest;
}
constexpr size_t max_audio_payload() {
  return std::max(max_payload(MsgType::kAudioUp), max_payload(MsgType::kAudioDown));
}
// Whole packets as they travel (header, payload, seal).
constexpr size_t kMaxControlPacket = kHeaderSize + max_control_payload() + kSealOverhead;
constexpr size_t kMaxAudioPacket = kHeaderSize + max_audio_payload() + kSealOverhead;

// Encoders return the number of bytes written to `out`, or 0 if it does not fit.
size_t encode(const Hello& msg, std::span<uint8_t> out);
size_t encode(const Welcome& msg, std::span<uint8_t> out);
size_t encode(const Participants& msg, std::span<uint8_t> out);
size_t encode(const Joined& msg, std::span<uint8_t> out);
size_t encode(const Left& msg, std::span<uint8_t> out);
size_t encode(const Resize& msg, std::span<uint8_t> out);
size_t encode(const MediaState& msg, std::span<uint8_t> out);
size_t encode(const Ping& msg, std::span<uint8_t> out);  // also the Pong payload
size_t encode(const Bye& msg, std::span<uint8_t> out);
size_t encode(const VideoRequest& msg, std::span<uint8_t> out);
size_t encode(const VideoUpHeader& msg, std::span<uint8_t> out);
size_t encode(const VideoDownHeader& msg, std::span<uint8_t> out);
size_t encode(const AudioUpHeader& msg, std::span<uint8_t> out);
size_t encode(const AudioDownHeader& msg, std::span<uint8_t> out);
size_t encode(const KeyHello& msg, std::span<uint8_t> out);
size_t encode(const KeyWelcome& msg, std::span<uint8_t> out);
size_t encode(const Auth& msg, std::span<uint8_t> out);
size_t encode(const ListRooms& msg, std::span<uint8_t> out);
size_t encode(const RoomList& msg, std::span<uint8_t> out);
size_t encode(const ChatSend& msg, std::span<uint8_t> out);
size_t encode(const ChatMessage& msg, std::span<uint8_t> out);
size_t encode(const ChatRefused& msg, std::span<uint8_t> out);

// Decoders return false for a malformed payload (wrong size, bad enum value, bad name,
// absurd dimensions). For VideoUp/VideoDown, `rest` receives the bytes after the fixed part.
bool decode(std::span<const uint8_t> in, Hello& out);
bool decode(std::span<const uint8_t> in, Welcome& out);
bool decode(std::span<const uint8_t> in, Participants& out);
bool decode(std::span<const uint8_t> in, Joined& out);
bool decode(std::span<const uint8_t> in, Left& out);
bool decode(std::span<const uint8_t> in, Resize& out);
bool decode(std::span<const uint8_t> in, MediaState& out);
bool decode(std::span<const uint8_t> in, Ping& out);
bool decode(std::span<const uint8_t> in, Bye& out);
bool decode(std::span<const uint8_t> in, VideoRequest& out);
bool decode(std::span<const uint8_t> in, VideoUpHeader& out, std::span<const uint8_t>& rest);
bool decode(std::span<const uint8_t> in, VideoDownHeader& out, std::span<const uint8_t>& rest);
// For AudioUp/AudioDown, `rest` receives the Opus packet (1-1275 bytes).
bool decode(std::span<const uint8_t> in, AudioUpHeader& out, std::span<const uint8_t>& rest);
bool decode(std::span<const uint8_t> in, AudioDownHeader& out, std::span<const uint8_t>& rest);
bool decode(std::span<const uint8_t> in, KeyHello& out);
bool decode(std::span<const uint8_t> in, KeyWelcome& out);
bool decode(std::span<const uint8_t> in, Auth& out);
bool decode(std::span<const uint8_t> in, ListRooms& out);
bool decode(std::span<const uint8_t> in, RoomList& out);
bool decode(std::span<const uint8_t> in, ChatSend& out);
bool decode(std::span<const uint8_t> in, ChatMessage& out);
bool decode(std::span<const uint8_t> in, ChatRefused& out);

// Builds a complete packet (header + payload) of `msg` into `out`; returns its size or 0.
template <class Msg>
size_t build_packet(MsgType type, const Msg& msg, std::span<uint8_t> out) {
  if (out.size() < kHeaderSize) return 0;
  const size_t n = encode(msg, out.subspan(kHeaderSize));
  if (n == 0) return 0;  // does not fit: every v1 payload, Bye included, is non-empty
  write_header(type, out.subspan(kHeaderSize, n), out.first<kHeaderSize>());
  return kHeaderSize + n;
}

}  // namespace ttycall::net
