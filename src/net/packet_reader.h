#pragma once
// The receiving half of the packet format, without a socket: checks a header, says where
// its payload goes, then checks the payload's CRC and opens it. Both ends (the server's
// session and the client) read through this, via Connection (connection.h), and the
// fuzzers drive it directly.
//
// Every header is checked (parse_header: magic, version, type, flags, the per-type size
// limit) and held against the channel's state (sealed exactly when the key exchange is
// done) before any payload byte is read. Control and audio payloads land in the reader's
// own fixed buffer, sized from the protocol's limits, so a valid packet always fits; only
// video payloads need a buffer from the owner.
#include <array>
#include <cstdint>
#include <span>
#include <string_view>

#include "net/protocol.h"
#include "net/secure_channel.h"

namespace ttycall::net {

// Why a packet could not be read. The owner turns it into its own words (a server logs
// and says Bye; a client tells its user).
enum class ReadFailure : uint8_t {
  kClosed,           // the peer closed, or the socket failed, between packets
  kTruncated,        // the connection ended inside a packet
  kBadHeader,        // parse_header refused it (the HeaderError says why)
  kOtherVersion,     // a header of another protocol version
  kSealedTooEarly,   // a sealed packet before the key exchange
  kPlainAfterKeys,   // an unsealed packet after it
  kNoPayloadBuffer,  // the owner had no buffer for a video payload
  kCrcMismatch,      // the payload does not match the header's CRC
  kDecryptFailed,    // a tampered, replayed or reordered sealed packet
};

class PacketReader {
 public:
  explicit PacketReader(SecureChannel& channel) : channel_(channel) {}

  // Where the next header's bytes go.
  std::span<uint8_t, kHeaderSize> header_bytes() { return header_bytes_; }
  // Checks the header in header_bytes(); on false, `failure` (and header_error()) say why.
  bool check_header(ReadFailure& failure);
  const Header& header() const { return header_; }
  // What went wrong, in words (for logs and Byes).
  std::string_view describe(ReadFailure failure) const;

  // The reader's own buffer for this packet's payload, for every type but video.
  std::span<uint8_t> own_payload_buffer();

  // Checks the CRC of the payload just read (header().length bytes) and opens it when the
  // channel is enabled. On success, `payload` is the plaintext.
  bool open_payload(std::span<uint8_t> wire_payload, std::span<const uint8_t>& payload,
                    ReadFailure& failure);

 private:
  SecureChannel& channel_;
  std::array<uint8_t, kHeaderSize> header_bytes_{};
  Header header_{};
  HeaderError header_error_ = HeaderError::kOk;
  std::array<uint8_t, std::max(max_control_payload(), max_audio_payload()) + kSealOverhead>
      own_payload_{};
};

}  // namespace ttycall::net
