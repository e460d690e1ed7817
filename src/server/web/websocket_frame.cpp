#include "server/web/websocket_frame.h"

namespace ttycall::server::web {

WsParse parse_client_frame(std::span<const uint8_t> bytes, WsFrameHeader& out) {
  if (bytes.size() < 2) return WsParse::kNeedMore;
  const uint8_t b0 = bytes[0];
  const uint8_t b1 = bytes[1];
  if ((b0 & 0x70) != 0) return WsParse::kBad;  // no extension was negotiated
  if ((b1 & 0x80) == 0) return WsParse::kBad;  // a client must mask
  const uint8_t op = b0 & 0x0F;
  const bool control = (op & 0x08) != 0;
  if (op != 0x0 && op != 0x1 && op != 0x2 && op != 0x8 && op != 0x9 && op != 0xA) {
    return WsParse::kBad;
  }
  size_t at = 2;
  uint64_t length = b1 & 0x7F;
  if (length == 126) {
    if (bytes.size() < at + 2) return WsParse::kNeedMore;
    length = uint64_t(bytes[2]) << 8 | bytes[3];
    at += 2;
  } else if (length == 127) {
    if (bytes.size() < at + 8) return WsParse::kNeedMore;
    length = 0;
    for (int i = 0; i < 8; ++i) length = length << 8 | bytes[2 + i];
    if (length >> 63) return WsParse::kBad;
    at += 8;
  }
  const bool fin = (b0 & 0x80) != 0;
  if (control && (!fin || length > 125)) return WsParse::kBad;
  if (bytes.size() < at + 4) return WsParse::kNeedMore;
  WsFrameHeader h;
  h.fin = fin;
  h.opcode = WsOpcode(op);
  h.length = length;
  for (int i = 0; i < 4; ++i) h.mask[i] = bytes[at + i];
  h.header_size = at + 4;
  out = h;
  return WsParse::kOk;
}

void unmask(std::span<uint8_t> payload, const std::array<uint8_t, 4>& mask) {
  for (size_t i = 0; i < payload.size(); ++i) payload[i] ^= mask[i & 3];
}

size_t write_server_header(WsOpcode opcode, uint64_t length,
                           std::span<uint8_t, kMaxServerHeader> out) {
  out[0] = uint8_t(0x80 | uint8_t(opcode));
  if (length < 126) {
    out[1] = uint8_t(length);
    return 2;
  }
  if (length <= 0xFFFF) {
    out[1] = 126;
    out[2] = uint8_t(length >> 8);
    out[3] = uint8_t(length);
    return 4;
  }
  out[1] = 127;
  for (int i = 0; i < 8; ++i) out[2 + i] = uint8_t(length >> (8 * (7 - i)));
  return 10;
}

}  // namespace ttycall::server::web
