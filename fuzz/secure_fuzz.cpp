// secure_fuzz: the encrypted side of the protocol (src/net/key_exchange.*, secure_channel.*).
//
// Every input is used four ways:
//   1. As a KeyHello payload, through the key exchange net::ServerHandshake answers with:
//      decode; when accepted, the server answers (or refuses a low-order key) and its KeyWelcome
//      frames and re-decodes to the same fields.
//   2. As a KeyWelcome payload, through Client::handle_key_welcome: decode; a client never
//      accepts it (a forged signature cannot verify) and so derives no keys.
//   3. As an Auth payload after a real exchange, through the handshake's Auth check:
//      decode; the server never judges it kOk (the signature is over a transcript the input cannot
//      know).
//   4. As sealed wire bytes (header + payload) for a channel with fixed keys: when the
//      header parses as sealed and the CRC matches, open() refuses it unless it is exactly
//      what the other end seals for that plaintext (the corpus holds one such packet); and
//      the input sealed as a payload by one end opens at the other to the same bytes.
#include <array>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <span>
#include <vector>

#include "fuzz_common.h"
#include "net/key_exchange.h"
#include "net/keys.h"
#include "net/protocol.h"
#include "net/secure_channel.h"

namespace net = ttycall::net;

namespace {

using Bytes = std::span<const uint8_t>;

const net::ServerAuthConfig& server_config() {
  static const net::ServerAuthConfig config = [] {
    net::ServerAuthConfig c;
    c.identity = net::Identity::generate();
    return c;
  }();
  return config;
}

void key_hello(Bytes data) {
  net::KeyHello hello;
  if (!net::decode(data, hello)) return;
  FUZZ_CHECK(hello.mode == net::kModeEncrypted);
  net::ServerKeyExchange server(server_config());
  net::KeyWelcome welcome;
  net::SessionKeys keys;
  if (!server.answer(hello, welcome, keys)) return;  // a low-order key: protocol error
  std::array<uint8_t, net::kHeaderSize + 256> packet;
  const size_t n = net::build_packet(net::MsgType::kKeyWelcome, welcome, packet);
  FUZZ_CHECK(n == net::kHeaderSize + net::max_payload(net::MsgType::kKeyWelcome));
  net::KeyWelcome again;
  FUZZ_CHECK(net::decode(Bytes(packet).subspan(net::kHeaderSize, n - net::kHeaderSize), again));
  FUZZ_CHECK(again.identity == server_config().identity->public_key().bytes);
}

void key_welcome(Bytes data) {
  net::KeyWelcome welcome;
  if (!net::decode(data, welcome)) return;
  net::ClientKeyExchange client;
  net::SessionKeys keys{};
  FUZZ_CHECK(!client.accept(welcome, keys));
}

void auth(Bytes data) {
  net::Auth message;
  if (!net::decode(data, message)) return;
  FUZZ_CHECK(message.has_password <= 1);
  net::ServerKeyExchange server(server_config());
  net::ClientKeyExchange client;
  net::KeyWelcome welcome;
  net::SessionKeys keys;
  FUZZ_CHECK(server.answer(client.hello(), welcome, keys));
  net::PublicKey seen;
  FUZZ_CHECK(server.check(message, seen) != net::AuthVerdict::kOk);
}

void sealed_bytes(Bytes data) {
  net::SessionKeys a{}, b{};
  a.transmit.fill(1);
  a.receive.fill(2);
  b.receive = a.transmit;
  b.transmit = a.receive;
  net::SecureChannel sender, receiver;
  sender.enable(a);
  receiver.enable(b);

  // Arbitrary bytes on the wire never open.
  if (data.size() >= net::kHeaderSize) {
    net::Header header;
    std::array<uint8_t, net::kHeaderSize> head;
    std::memcpy(head.data(), data.data(), head.size());
    std::vector<uint8_t> payload(data.begin() + net::kHeaderSize, data.end());
    if (net::parse_header(head, header) == net::HeaderError::kOk && header.sealed() &&
        net::payload_crc_matches(header, payload)) {
      bool ok = false;
      const auto plain = receiver.open(head, payload, ok);
      if (ok) {
        // Only what the key's holder sealed opens: sealing the plaintext again (the first
        // packet, nonce 0) must give back exactly the input.
        net::SecureChannel twin;
        twin.enable(a);
        std::vector<uint8_t> again(net::kHeaderSize + plain.size() + net::kSealOverhead);
        std::memcpy(again.data(), data.data(), net::kHeaderSize);
        again[6] = 0;  // as build_packet leaves it: seal() sets the flag and the length
        std::memcpy(again.data() + net::kHeaderSize, plain.data(), plain.size());
        FUZZ_CHECK(twin.seal(again, net::kHeaderSize + plain.size()) == data.size());
        FUZZ_CHECK(std::memcmp(again.data(), data.data(), data.size()) == 0);
      }
    }
  }

  // Any payload round-trips through seal and open (a fresh pair of ends: nonce 0 again).
  if (data.size() > net::max_payload(net::MsgType::kVideoUp)) return;
  sender.reset();
  receiver.reset();
  sender.enable(a);
  receiver.enable(b);
  std::vector<uint8_t> packet(net::kHeaderSize + data.size() + net::kSealOverhead);
  std::memcpy(packet.data() + net::kHeaderSize, data.data(), data.size());
  net::write_header(net::MsgType::kVideoUp, data,
                    std::span<uint8_t, net::kHeaderSize>(packet.data(), net::kHeaderSize));
  const size_t sealed = sender.seal(packet, net::kHeaderSize + data.size());
  FUZZ_CHECK(sealed == packet.size());
  net::Header header;
  FUZZ_CHECK(
      net::parse_header(std::span<const uint8_t, net::kHeaderSize>(packet.data(), net::kHeaderSize),
                        header) == net::HeaderError::kOk);
  FUZZ_CHECK(header.sealed() && header.length == data.size() + net::kSealOverhead);
  std::span<uint8_t> wire(packet.data() + net::kHeaderSize, header.length);
  FUZZ_CHECK(net::payload_crc_matches(header, wire));
  bool ok = false;
  const auto plain = receiver.open(
      std::span<const uint8_t, net::kHeaderSize>(packet.data(), net::kHeaderSize), wire, ok);
  FUZZ_CHECK(ok && plain.size() == data.size());
  FUZZ_CHECK(data.empty() || std::memcmp(plain.data(), data.data(), data.size()) == 0);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const Bytes input(data, size);
  key_hello(input);
  key_welcome(input);
  auth(input);
  sealed_bytes(input);
  return 0;
}
