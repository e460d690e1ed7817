// handshake_fuzz: the server's handshake decisions and the protocol's text rule.
//
// Every input is used three ways:
//   1. As a Hello payload, through the server's own handshake step (net::ServerHandshake,
//      src/net/server_handshake.cpp, as an --insecure server meets it): decode; on reject,
//      the "other protocol version" refusal (payload >= 2 bytes with a version field other
//      than 3) or a protocol error; on accept, the view the session stores (ViewKey: the
//      Hello's size, a grid without a pin, each half packed into 64 bits). Checked: every
//      accepted field is within the limits of docs/PROTOCOL.md, the name is clean text, the
//      room empty or a valid room name, the Hello re-encodes to the same bytes, the ViewKey
//      unpacks to the same view, and the Bye the server would answer with frames. The same
//      input as a ListRooms is either the list request or refused the same way. (A v3
//      Hello carries no render or colour mode: those are the client's own.)
//   2. As arbitrary text for Name::from and Bye::make (what a client makes of --name, what
//      the server makes of a reason): the result is at most 32 / 120 bytes, passes the text
//      rule (checked by an independent validator), is a subsequence of the input (only
//      dropping, never inventing bytes), is a fixed point (applying it again changes
//      nothing) and, when not empty, goes through the decoders of Joined / Bye intact.
//   3. As the name bytes of a Joined and the text of a Bye, comparing the decoders'
//      accept/reject with the independent validator (a differential test of the UTF-8 and
//      control-character check).
#include <algorithm>
#include <array>
#include <cstddef>
#include <cstdint>
#include <span>
#include <string_view>

#include "fuzz_common.h"
#include "net/protocol.h"
#include "net/server_handshake.h"
#include "server/view_key.h"  // header-only

namespace net = ttycall::net;
using ttycall::fuzz::clean_text_reference;
using ttycall::fuzz::ExactCopy;
using ttycall::fuzz::is_subsequence;
using ttycall::fuzz::same_bytes;

namespace {

using Bytes = std::span<const uint8_t>;

enum class Outcome { kWelcome, kVersionMismatch, kProtocolError };

// The server's handshake step for a Hello (the room's join is not input-dependent).
Outcome server_hello(Bytes payload) {
  static const net::ServerAuthConfig no_auth;
  net::ServerHandshake handshake(no_auth, /*insecure=*/true);
  const net::HandshakeStep step = handshake.step(net::MsgType::kHello, payload);
  using Kind = net::HandshakeStep::Kind;
  if (step.kind == Kind::kRefuse) {
    FUZZ_CHECK(step.reason == net::ByeReason::kVersionMismatch);
    FUZZ_CHECK(payload.size() >= 2 && (payload[0] | payload[1] << 8) != net::kProtocolVersion);
    return Outcome::kVersionMismatch;
  }
  if (step.kind == Kind::kProtocolError) return Outcome::kProtocolError;
  FUZZ_CHECK(step.kind == Kind::kJoin && handshake.joined());
  const net::Hello& hello = step.hello;
  FUZZ_CHECK(hello.protocol_version == net::kProtocolVersion);

  FUZZ_CHECK(hello.cols >= 1 && hello.cols <= net::kMaxTerminalCols);
  FUZZ_CHECK(hello.rows >= 1 && hello.rows <= net::kMaxTerminalRows);
  FUZZ_CHECK(hello.name.len >= 1 && hello.name.len <= net::kMaxNameBytes);
  FUZZ_CHECK(clean_text_reference(hello.name.view()));
  FUZZ_CHECK(hello.room.len == 0 || net::is_valid_room_name(hello.room.view()));
  FUZZ_CHECK(hello.has_room_password <= 1);
  // u16 version, cols, rows, the name, the room, u8 has_room_password, 32-byte proof
  FUZZ_CHECK(payload.size() == 7u + hello.name.len + 1 + hello.room.len + 1 + 32);

  std::array<uint8_t, 128> out;
  const size_t n = net::encode(hello, out);
  FUZZ_CHECK(n == payload.size() && same_bytes(Bytes(out.data(), n), payload));

  // Session::handle_hello: the Hello's size, a grid view until a Resize says otherwise.
  const ttycall::server::ViewKey key{hello.cols, hello.rows};
  FUZZ_CHECK(key.layout == net::ViewLayout::kGrid && key.pinned_id == 0);
  FUZZ_CHECK(ttycall::server::ViewKey::unpack(key.packed(), key.packed_layout()) == key);
  // A second Hello on a joined connection is a protocol error, never a second join.
  FUZZ_CHECK(handshake.step(net::MsgType::kHello, payload).kind == Kind::kProtocolError);
  return Outcome::kWelcome;
}

// The same bytes as a ListRooms, in place of the Hello.
void server_list_rooms(Bytes payload) {
  static const net::ServerAuthConfig no_auth;
  net::ServerHandshake handshake(no_auth, /*insecure=*/true);
  const net::HandshakeStep step = handshake.step(net::MsgType::kListRooms, payload);
  using Kind = net::HandshakeStep::Kind;
  const bool this_version =
      payload.size() >= 2 && (payload[0] | payload[1] << 8) == net::kProtocolVersion;
  if (step.kind == Kind::kListRooms) {
    FUZZ_CHECK(payload.size() == 2 && this_version);
    FUZZ_CHECK(handshake.check_type(net::MsgType::kHello).kind == Kind::kProtocolError);
  } else if (step.kind == Kind::kRefuse) {
    FUZZ_CHECK(step.reason == net::ByeReason::kVersionMismatch && !this_version);
  } else {
    FUZZ_CHECK(step.kind == Kind::kProtocolError);
  }
}

// The Bye the server sends for an outcome must always frame (a peer must be able to read
// why it was refused).
void check_server_answer(Outcome outcome) {
  std::array<uint8_t, net::kHeaderSize + 128> packet;
  size_t n = 0;
  switch (outcome) {
    case Outcome::kWelcome: {
      const net::Welcome welcome{1, 30};
      n = net::build_packet(net::MsgType::kWelcome, welcome, packet);
      break;
    }
    case Outcome::kVersionMismatch:
      n = net::build_packet(net::MsgType::kBye,
                            net::Bye::make(net::ByeReason::kVersionMismatch,
                                           "this server speaks ttycall protocol version 3"),
                            packet);
      break;
    case Outcome::kProtocolError:
      n = net::build_packet(net::MsgType::kBye,
                            net::Bye::make(net::ByeReason::kProtocolError, "malformed hello"),
                            packet);
      break;
  }
  FUZZ_CHECK(n > net::kHeaderSize);
  net::Header header;
  FUZZ_CHECK(
      net::parse_header(std::span<const uint8_t, net::kHeaderSize>(packet.data(), net::kHeaderSize),
                        header) == net::HeaderError::kOk);
  FUZZ_CHECK(net::payload_crc_matches(
      header, Bytes(packet.data() + net::kHeaderSize, n - net::kHeaderSize)));
}

void check_name_from(std::string_view text) {
  const net::Name name = net::Name::from(text);
  FUZZ_CHECK(name.len <= net::kMaxNameBytes);
  FUZZ_CHECK(clean_text_reference(name.view()));
  FUZZ_CHECK(is_subsequence(name.view(), text));
  FUZZ_CHECK(net::Name::from(name.view()).view() == name.view());
  // Nothing clean was dropped from a short input: the clean input is its own name.
  if (text.size() <= size_t(net::kMaxNameBytes) && clean_text_reference(text)) {
    FUZZ_CHECK(name.view() == text);
  }
  if (name.len == 0) return;  // an empty name is refused by every decoder
  const net::Joined joined{7, name};
  std::array<uint8_t, 64> out;
  const size_t n = net::encode(joined, out);
  FUZZ_CHECK(n == 5u + name.len);
  net::Joined back;
  FUZZ_CHECK(net::decode(Bytes(out.data(), n), back));
  FUZZ_CHECK(back.id == 7 && back.name.view() == name.view());
}

void check_bye_make(uint8_t reason_byte, std::string_view text) {
  const auto reason = net::ByeReason(reason_byte % 6);
  const net::Bye bye = net::Bye::make(reason, text);
  FUZZ_CHECK(bye.reason == reason);
  FUZZ_CHECK(bye.text_len <= bye.text.size());
  FUZZ_CHECK(clean_text_reference(bye.view()));
  FUZZ_CHECK(is_subsequence(bye.view(), text));
  FUZZ_CHECK(net::Bye::make(reason, bye.view()).view() == bye.view());
  if (text.size() <= bye.text.size() && clean_text_reference(text)) {
    FUZZ_CHECK(bye.view() == text);
  }
  std::array<uint8_t, net::kHeaderSize + 128> packet;
  const size_t n = net::build_packet(net::MsgType::kBye, bye, packet);
  FUZZ_CHECK(n == net::kHeaderSize + 2 + bye.text_len);
  net::Bye back;
  FUZZ_CHECK(net::decode(Bytes(packet.data() + net::kHeaderSize, n - net::kHeaderSize), back));
  FUZZ_CHECK(back.reason == reason && back.view() == bye.view());
}

// The decoders' text check against the reference validator.
void check_text_rule(Bytes text) {
  {
    const Bytes name = text.first(std::min<size_t>(text.size(), net::kMaxNameBytes));
    std::array<uint8_t, 5 + net::kMaxNameBytes> payload{};
    payload[4] = uint8_t(name.size());
    std::copy(name.begin(), name.end(), payload.begin() + 5);
    const ExactCopy copy(Bytes(payload.data(), 5 + name.size()));
    net::Joined joined;
    const bool accepted = net::decode(copy.span(), joined);
    FUZZ_CHECK(accepted == (!name.empty() && clean_text_reference(name)));
  }
  {
    const Bytes body = text.first(std::min<size_t>(text.size(), 120));
    std::array<uint8_t, 2 + 120> payload{};
    payload[0] = uint8_t(net::ByeReason::kNormal);
    payload[1] = uint8_t(body.size());
    std::copy(body.begin(), body.end(), payload.begin() + 2);
    const ExactCopy copy(Bytes(payload.data(), 2 + body.size()));
    net::Bye bye;
    const bool accepted = net::decode(copy.span(), bye);
    FUZZ_CHECK(accepted == clean_text_reference(body));
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const Bytes input(data, size);
  const std::string_view text(reinterpret_cast<const char*>(data), size);

  check_server_answer(server_hello(input));
  server_list_rooms(input);
  check_name_from(text);
  check_bye_make(size > 0 ? data[0] : 0, size > 0 ? text.substr(1) : text);
  check_text_rule(input);
  return 0;
}
