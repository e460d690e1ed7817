#pragma once
// RFC 6455 framing, as the web endpoint needs it: reading a browser's frames (which are
// always masked) and writing the server's (never masked). Pure functions over bytes: no
// allocation, no I/O, so the parser is easy to test and fuzz.
#include <array>
#include <cstddef>
#include <cstdint>
#include <span>

namespace ttycall::server::web {

enum class WsOpcode : uint8_t {
  kContinuation = 0x0,
  kText = 0x1,
  kBinary = 0x2,
  kClose = 0x8,
  kPing = 0x9,
  kPong = 0xA,
};

struct WsFrameHeader {
  bool fin = false;
  WsOpcode opcode = WsOpcode::kBinary;
  uint64_t length = 0;  // payload bytes
  std::array<uint8_t, 4> mask{};
  size_t header_size = 0;  // bytes before the payload
};

enum class WsParse : uint8_t {
  kNeedMore,  // the header is not all there yet
  kOk,
  kBad,  // reserved bits, an unmasked frame, an unknown opcode, a long or fragmented control
         // frame, or a 64-bit length with its top bit set
};

// The header of the browser's frame at the start of `bytes`.
WsParse parse_client_frame(std::span<const uint8_t> bytes, WsFrameHeader& out);
// XORs `payload` (which starts at payload byte 0 of its frame) with the frame's mask.
void unmask(std::span<uint8_t> payload, const std::array<uint8_t, 4>& mask);

constexpr size_t kMaxServerHeader = 10;
// A server frame's header (FIN set, unmasked) for `length` payload bytes; returns its size.
size_t write_server_header(WsOpcode opcode, uint64_t length,
                           std::span<uint8_t, kMaxServerHeader> out);

}  // namespace ttycall::server::web
