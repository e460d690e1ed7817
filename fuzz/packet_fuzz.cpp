// packet_fuzz: the packet parser, fed a byte stream the way a peer reads its socket.
//
// Input: one mode byte, then the stream.
//   mode bit 0 = 0: CRCs are checked as sent; the first mismatch ends the stream (as the
//                   server and client close the connection).
//   mode bit 0 = 1: each packet's CRC is recomputed before the check, so the fuzzer reaches
//                   the payload decoders without having to forge CRC32C.
// Per packet, as in src/server/session.cpp (and the client's reader):
//   16 bytes -> parse_header (stop on error) -> `length` payload bytes (stop if truncated)
//   -> payload_crc_matches -> the decoder of the header's type.
// Every decoder is run, both by type and on every payload, and checked for:
//   - no out-of-bounds read (each payload is an exact-size heap copy under ASan);
//   - a rejected payload leaves the output struct (and `rest`) untouched;
//   - an accepted payload re-encodes to exactly the same bytes (v2 has one encoding per
//     message), `rest` views the payload right after the fixed part (for VideoDown: after
//     the last label, so `rest` is the picture), every field is within the documented
//     limits, every VideoDown label lies inside its view, and every name/text passes the
//     text rule;
//   - the SSE4.2 and scalar CRC32C agree, and write_header/parse_header round-trip.
#include <array>
#include <cstddef>
#include <cstdint>
#include <span>

#include "core/safe_text.h"
#include "fuzz_common.h"
#include "net/cluster_protocol.h"
#include "net/crc32c.h"
#include "net/protocol.h"

namespace net = ttycall::net;
using ttycall::fuzz::ExactCopy;
using ttycall::fuzz::poison;
using ttycall::fuzz::same_bytes;
using ttycall::fuzz::unchanged;

namespace {

using Bytes = std::span<const uint8_t>;

void check_name(const net::Name& name) {
  FUZZ_CHECK(name.len >= 1 && name.len <= net::kMaxNameBytes);
  FUZZ_CHECK(ttycall::fuzz::clean_text_reference(name.view()));
  // A clean name passes Name::from unchanged.
  const net::Name again = net::Name::from(name.view());
  FUZZ_CHECK(again.view() == name.view());
}

// Re-encodes an accepted message and compares with the payload it came from.
template <class Msg>
void check_roundtrip(Bytes payload, const Msg& msg) {
  std::array<uint8_t, 4096> out;
  const size_t n = net::encode(msg, out);
  FUZZ_CHECK(n == payload.size());
  FUZZ_CHECK(same_bytes(Bytes(out.data(), n), payload));
}

// For the messages with a body: fixed part re-encodes to the payload's prefix, and `rest`
// is the remainder of the payload itself (a view, not a copy).
template <class Msg>
void check_roundtrip_with_body(Bytes payload, const Msg& msg, Bytes rest) {
  std::array<uint8_t, 4096> out;  // a VideoDown with 64 sources and 64 labels: 3.3 KiB
  const size_t n = net::encode(msg, out);
  FUZZ_CHECK(n > 0 && n < payload.size());
  FUZZ_CHECK(same_bytes(Bytes(out.data(), n), payload.first(n)));
  FUZZ_CHECK(rest.data() == payload.data() + n);
  FUZZ_CHECK(rest.size() == payload.size() - n);
  FUZZ_CHECK(!rest.empty());
}

// Decodes `payload` as Msg; checks the invariants above. Returns whether it was accepted.
template <class Msg>
bool try_decode(Bytes payload, Msg& msg) {
  const auto before = poison(msg);
  const bool ok = net::decode(payload, msg);
  if (!ok) {
    FUZZ_CHECK(unchanged(msg, before));
    return false;
  }
  check_roundtrip(payload, msg);
  return true;
}

template <class Msg>
bool try_decode_body(Bytes payload, Msg& msg, Bytes& rest) {
  const auto before = poison(msg);
  static const uint8_t sentinel[1] = {0};
  rest = Bytes(sentinel, 1);
  const bool ok = net::decode(payload, msg, rest);
  if (!ok) {
    FUZZ_CHECK(unchanged(msg, before));
    FUZZ_CHECK(rest.data() == sentinel && rest.size() == 1);
    return false;
  }
  check_roundtrip_with_body(payload, msg, rest);
  return true;
}

bool terminal_size_ok(uint16_t cols, uint16_t rows) {
  return cols >= 1 && cols <= net::kMaxTerminalCols && rows >= 1 && rows <= net::kMaxTerminalRows;
}

// What the client relies on before it draws a label (src/client/video_receiver.cpp): one
// row of the view, at least one cell wide, a known style, a clean name.
void check_label(const net::FrameLabel& label, const net::VideoDownHeader& m) {
  FUZZ_CHECK(label.style == net::kLabelPlain || label.style == net::kLabelSpeaking);
  FUZZ_CHECK(label.row < m.rows);
  FUZZ_CHECK(label.width >= 1);
  FUZZ_CHECK(size_t(label.col) + label.width <= m.cols);
  check_name(label.name);
}

// What a client relies on before it connects to a node a cluster named: an address of
// only the allowed characters (nothing a terminal or a resolver could misread).
void check_node(const net::NodeAddress& node) {
  FUZZ_CHECK(node.len >= 1 && node.len <= net::kMaxNodeAddressBytes);
  FUZZ_CHECK(net::is_valid_node_address(node.view()));
}

// Runs the decoder of `type` over one payload and checks what it accepted.
void decode_as(net::MsgType type, Bytes payload) {
  switch (type) {
    case net::MsgType::kHello: {
      net::Hello m;
      if (try_decode(payload, m)) {
        FUZZ_CHECK(terminal_size_ok(m.cols, m.rows));
        FUZZ_CHECK(payload.size() == 7u + m.name.len + 1 + m.room.len + 1 + 32);
        check_name(m.name);
        FUZZ_CHECK(m.room.len == 0 || net::is_valid_room_name(m.room.view()));
        FUZZ_CHECK(m.has_room_password <= 1);
      }
      break;
    }
    case net::MsgType::kListRooms: {
      net::ListRooms m;
      if (try_decode(payload, m)) FUZZ_CHECK(payload.size() == 2);
      break;
    }
    case net::MsgType::kRoomList: {
      net::RoomList m;
      if (try_decode(payload, m)) {
        FUZZ_CHECK(m.count <= net::kMaxListedRooms && m.count <= m.total);
        size_t expected = 4;
        for (size_t i = 0; i < m.count; ++i) {
          FUZZ_CHECK(net::is_valid_room_name(m.rooms[i].name.view()));
          expected += 3 + m.rooms[i].name.len;
        }
        FUZZ_CHECK(payload.size() == expected);
      }
      break;
    }
    case net::MsgType::kChatSend: {
      static net::ChatSend m;
      if (try_decode(payload, m)) {
        FUZZ_CHECK(m.text_len >= 1 && m.text_len <= net::kMaxChatSendBytes);
        FUZZ_CHECK(payload.size() == 2u + m.text_len);
      }
      break;
    }
    case net::MsgType::kChatMessage: {
      static net::ChatMessage m;
      if (try_decode(payload, m)) {
        check_name(m.sender);
        FUZZ_CHECK((m.flags & ~uint8_t(net::kChatHistory)) == 0);
        FUZZ_CHECK(m.text_len >= 1 && m.text_len <= net::kMaxChatTextBytes);
        FUZZ_CHECK(payload.size() == 4u + 1 + m.sender.len + 8 + 1 + 2 + m.text_len);
        // What the client draws: every code point one a terminal shows as it is.
        FUZZ_CHECK(ttycall::core::check_safe_text(m.view(), net::kMaxChatTextBytes).ok());
      }
      break;
    }
    case net::MsgType::kChatRefused: {
      net::ChatRefused m;
      if (try_decode(payload, m)) {
        FUZZ_CHECK(uint8_t(m.reason) >= 1 && uint8_t(m.reason) <= 3);
        FUZZ_CHECK(ttycall::fuzz::clean_text_reference(m.view()));
      }
      break;
    }
    case net::MsgType::kWelcome: {
      net::Welcome m;
      if (try_decode(payload, m)) FUZZ_CHECK(payload.size() == 6);
      break;
    }
    case net::MsgType::kParticipants: {
      static net::Participants m;  // 2.5 KiB: keep it off the stack frame of every call
      if (try_decode(payload, m)) {
        FUZZ_CHECK(m.count <= net::kMaxListedParticipants);
        FUZZ_CHECK(m.total >= m.count);
        for (size_t i = 0; i < m.count; ++i) check_name(m.list[i].name);
      }
      break;
    }
    case net::MsgType::kJoined: {
      net::Joined m;
      if (try_decode(payload, m)) check_name(m.name);
      break;
    }
    case net::MsgType::kLeft: {
      net::Left m;
      if (try_decode(payload, m)) FUZZ_CHECK(payload.size() == 4);
      break;
    }
    case net::MsgType::kResize: {
      net::Resize m;
      if (try_decode(payload, m)) {
        FUZZ_CHECK(terminal_size_ok(m.cols, m.rows));
        FUZZ_CHECK(uint8_t(m.layout) < net::kViewLayoutCount);
        FUZZ_CHECK(m.gallery <= net::kMaxGallery);
        FUZZ_CHECK(payload.size() == net::kResizeSize);
      }
      break;
    }
    case net::MsgType::kPing:
    case net::MsgType::kPong: {
      net::Ping m;
      if (try_decode(payload, m)) {
        // The server answers a Ping with a Pong carrying the same payload.
        std::array<uint8_t, 32> pong;
        const size_t n = net::build_packet(net::MsgType::kPong, m, pong);
        FUZZ_CHECK(n == net::kHeaderSize + 8);
        FUZZ_CHECK(same_bytes(Bytes(pong.data() + net::kHeaderSize, 8), payload));
      }
      break;
    }
    case net::MsgType::kBye: {
      net::Bye m;
      if (try_decode(payload, m)) {
        FUZZ_CHECK(net::is_known_bye_reason(uint8_t(m.reason)));
        FUZZ_CHECK(m.text_len <= m.text.size());
        FUZZ_CHECK(ttycall::fuzz::clean_text_reference(m.view()));
        const net::Bye again = net::Bye::make(m.reason, m.view());
        FUZZ_CHECK(again.view() == m.view());
      }
      break;
    }
    case net::MsgType::kVideoRequest: {
      net::VideoRequest m;
      if (try_decode(payload, m)) {
        FUZZ_CHECK(m.fps <= 120);
        FUZZ_CHECK((m.width == 0) == (m.height == 0));
        FUZZ_CHECK(m.width <= net::kMaxVideoWidth && m.height <= net::kMaxVideoHeight);
      }
      break;
    }
    case net::MsgType::kVideoUp: {
      net::VideoUpHeader m;
      Bytes jpeg;
      if (try_decode_body(payload, m, jpeg)) {
        FUZZ_CHECK(m.width >= 1 && m.width <= net::kMaxVideoWidth);
        FUZZ_CHECK(m.height >= 1 && m.height <= net::kMaxVideoHeight);
        FUZZ_CHECK(jpeg.size() == payload.size() - net::kVideoUpHeaderSize);
      }
      break;
    }
    case net::MsgType::kVideoDown: {
      static net::VideoDownHeader m;  // 3.4 KiB, like Participants
      Bytes picture;
      if (try_decode_body(payload, m, picture)) {
        FUZZ_CHECK(terminal_size_ok(m.cols, m.rows));
        FUZZ_CHECK(m.format == net::PictureFormat::kJpeg);
        FUZZ_CHECK(m.source_count <= net::kMaxFrameSources);
        FUZZ_CHECK(m.label_count <= net::kMaxLabels);
        FUZZ_CHECK(m.tile_count <= net::kMaxFrameTiles);
        size_t header = net::kVideoDownFixedSize + net::kFrameSourceSize * m.source_count +
                        net::kFrameTileSize * m.tile_count;
        for (size_t i = 0; i < m.label_count; ++i) {
          check_label(m.labels[i], m);
          header += net::kFrameLabelFixedSize + m.labels[i].name.len;
        }
        for (size_t i = 0; i < m.tile_count; ++i) {
          const net::FrameTile& t = m.tiles[i];
          FUZZ_CHECK(t.cols >= 1 && t.rows >= 1 && t.col + t.cols <= m.cols &&
                     t.row + t.rows <= m.rows);
        }
        FUZZ_CHECK(picture.size() == payload.size() - header);
      }
      break;
    }
    case net::MsgType::kAudioUp: {
      net::AudioUpHeader m;
      Bytes opus;
      if (try_decode_body(payload, m, opus)) {
        FUZZ_CHECK((m.flags & ~uint8_t(net::kAudioSilent)) == 0);
        FUZZ_CHECK(opus.size() >= 1 && opus.size() <= net::kMaxOpusPacketBytes);
        FUZZ_CHECK(opus.size() == payload.size() - net::kAudioUpHeaderSize);
      }
      break;
    }
    case net::MsgType::kAudioDown: {
      net::AudioDownHeader m;
      Bytes opus;
      if (try_decode_body(payload, m, opus)) {
        FUZZ_CHECK(m.speaker_count <= net::kMaxAudioSpeakers);
        FUZZ_CHECK(opus.size() >= 1 && opus.size() <= net::kMaxOpusPacketBytes);
        FUZZ_CHECK(opus.size() == payload.size() - net::kAudioDownFixedSize - 4 * m.speaker_count);
      }
      break;
    }
    case net::MsgType::kKeyHello: {
      net::KeyHello m;
      if (try_decode(payload, m)) FUZZ_CHECK(m.mode == net::kModeEncrypted);
      break;
    }
    case net::MsgType::kKeyWelcome: {
      net::KeyWelcome m;
      if (try_decode(payload, m)) {
        FUZZ_CHECK((m.requirements & ~(net::kNeedsPassword | net::kNeedsAllowedKey)) == 0);
      }
      break;
    }
    case net::MsgType::kAuth: {
      net::Auth m;
      if (try_decode(payload, m)) FUZZ_CHECK(m.has_password <= 1);
      break;
    }
    case net::MsgType::kMediaState: {
      net::MediaState m;
      if (try_decode(payload, m)) FUZZ_CHECK(payload.size() == 1);
      break;
    }
    case net::MsgType::kRedirect: {
      net::Redirect m;
      if (try_decode(payload, m)) check_node(m.node);
      break;
    }
    case net::MsgType::kClusterNodes: {
      net::ClusterNodes m;
      if (try_decode(payload, m)) {
        FUZZ_CHECK(m.count <= net::kMaxClusterNodes);
        for (size_t i = 0; i < m.count; ++i) check_node(m.nodes[i]);
      }
      break;
    }
    case net::MsgType::kClusterRoomList: {
      net::ClusterRoomList m;
      if (try_decode(payload, m)) {
        FUZZ_CHECK(m.count <= net::kMaxListedClusterRooms && m.count <= m.total);
        for (size_t i = 0; i < m.count; ++i) {
          FUZZ_CHECK(net::is_valid_room_name(m.rooms[i].name.view()));
          FUZZ_CHECK(net::is_valid_node_address(m.rooms[i].address_view()));
        }
      }
      break;
    }
  }
}

constexpr net::MsgType kAllTypes[] = {
    net::MsgType::kHello,        net::MsgType::kWelcome,
    net::MsgType::kParticipants, net::MsgType::kJoined,
    net::MsgType::kLeft,         net::MsgType::kResize,
    net::MsgType::kPing,         net::MsgType::kBye,
    net::MsgType::kVideoRequest, net::MsgType::kVideoUp,
    net::MsgType::kVideoDown,    net::MsgType::kAudioUp,
    net::MsgType::kAudioDown,    net::MsgType::kKeyHello,
    net::MsgType::kKeyWelcome,   net::MsgType::kAuth,
    net::MsgType::kMediaState,   net::MsgType::kListRooms,
    net::MsgType::kRoomList,     net::MsgType::kRedirect,
    net::MsgType::kClusterNodes, net::MsgType::kClusterRoomList,
};

void check_header(const net::Header& h, uint8_t type_byte) {
  FUZZ_CHECK(net::is_known_type(type_byte));
  FUZZ_CHECK(uint8_t(h.type) == type_byte);
  FUZZ_CHECK(h.flags == 0 || h.flags == net::kFlagSealed);
  FUZZ_CHECK(h.length <= net::max_payload(h.type) + (h.sealed() ? net::kSealOverhead : 0));
  FUZZ_CHECK(!h.sealed() || h.length >= net::kSealOverhead);
  FUZZ_CHECK(net::max_payload(h.type) <= (size_t(8) << 20));
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  const bool recompute_crc = (data[0] & 1) != 0;
  Bytes stream(data + 1, size - 1);

  while (stream.size() >= net::kHeaderSize) {
    // 1. The header, from its own exact-size buffer (the server's header_bytes_).
    std::array<uint8_t, net::kHeaderSize> header_bytes;
    std::memcpy(header_bytes.data(), stream.data(), net::kHeaderSize);
    stream = stream.subspan(net::kHeaderSize);
    net::Header header;
    const auto before = poison(header);
    const net::HeaderError error = net::parse_header(header_bytes, header);
    if (error != net::HeaderError::kOk) {
      FUZZ_CHECK(unchanged(header, before));
      FUZZ_CHECK(net::to_string(error) != "unknown header error");
      break;  // the connection is closed
    }
    check_header(header, header_bytes[5]);

    // 2. The payload: exactly `length` bytes, or the stream ended mid-packet.
    if (stream.size() < header.length) break;
    const ExactCopy payload_copy(stream.first(header.length));
    stream = stream.subspan(header.length);
    const Bytes payload = payload_copy.span();

    // 3. The CRC.
    const uint32_t crc = net::crc32c(payload);
    FUZZ_CHECK(crc == net::crc32c_scalar(payload));
    if (recompute_crc) {
      header.crc = crc;
      FUZZ_CHECK(net::payload_crc_matches(header, payload));
    } else if (!net::payload_crc_matches(header, payload)) {
      FUZZ_CHECK(crc != header.crc);
      break;  // the connection is closed
    }
    // A sealed payload is ciphertext: only the secure channel reads it (secure_fuzz).
    if (header.sealed()) continue;
    // write_header() for this payload parses back to the same header.
    std::array<uint8_t, net::kHeaderSize> rewritten;
    net::write_header(header.type, payload, rewritten);
    net::Header reparsed;
    FUZZ_CHECK(net::parse_header(rewritten, reparsed) == net::HeaderError::kOk);
    FUZZ_CHECK(reparsed.type == header.type && reparsed.length == header.length &&
               reparsed.crc == crc && !reparsed.sealed());

    // 4. The decoder of its type, then every other decoder on the same bytes: a peer that
    //    mislabels a packet must not get further with any of them.
    decode_as(header.type, payload);
    for (const net::MsgType other : kAllTypes) {
      if (other != header.type) decode_as(other, payload);
    }
  }
  return 0;
}
