#include "net/packet_reader.h"

namespace ttycall::net {

bool PacketReader::check_header(ReadFailure& failure) {
  header_error_ = parse_header(header_bytes_, header_);
  if (header_error_ == HeaderError::kBadVersion) {
    failure = ReadFailure::kOtherVersion;
    return false;
  }
  if (header_error_ != HeaderError::kOk) {
    failure = ReadFailure::kBadHeader;
    return false;
  }
  if (header_.sealed() != channel_.enabled()) {
    failure = channel_.enabled() ? ReadFailure::kPlainAfterKeys : ReadFailure::kSealedTooEarly;
    return false;
  }
  return true;
}

std::span<uint8_t> PacketReader::own_payload_buffer() {
  // parse_header bounds every non-video length by these same limits.
  return {own_payload_.data(), header_.length};
}

std::string_view PacketReader::describe(ReadFailure failure) const {
  switch (failure) {
    case ReadFailure::kClosed:
      return "disconnected";
    case ReadFailure::kTruncated:
      return "truncated packet";
    case ReadFailure::kBadHeader:
    case ReadFailure::kOtherVersion:
      return to_string(header_error_);
    case ReadFailure::kSealedTooEarly:
      return "sealed packet before the key exchange";
    case ReadFailure::kPlainAfterKeys:
      return "unencrypted packet after the key exchange";
    case ReadFailure::kNoPayloadBuffer:
      return "no buffer for the payload";
    case ReadFailure::kCrcMismatch:
      return "payload CRC mismatch";
    case ReadFailure::kDecryptFailed:
      return "decryption failed (a tampered, replayed or reordered packet)";
  }
  return "unreadable packet";
}

bool PacketReader::open_payload(std::span<uint8_t> wire_payload, std::span<const uint8_t>& payload,
                                ReadFailure& failure) {
  if (!payload_crc_matches(header_, wire_payload)) {
    failure = ReadFailure::kCrcMismatch;
    return false;
  }
  payload = wire_payload;
  if (!channel_.enabled()) return true;
  bool ok = false;
  payload = channel_.open(header_bytes_, wire_payload, ok);
  if (!ok) failure = ReadFailure::kDecryptFailed;
  return ok;
}

}  // namespace ttycall::net
