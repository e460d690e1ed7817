// The web endpoint's own parsing (server/web/): WebSocket frames (RFC 6455), the HTTP head of
// an upgrade, and the origin policy that keeps other sites' pages out.
#include <gtest/gtest.h>

#include <array>
#include <vector>

#include "server/web/http_head.h"
#include "server/web/web_origin.h"
#include "server/web/web_routes.h"
#include "server/web/websocket_frame.h"

namespace ttycall::server::web {
namespace {

using Bytes = std::vector<uint8_t>;

// A masked client frame as a browser writes it.
Bytes client_frame(uint8_t first, const Bytes& payload,
                   std::array<uint8_t, 4> mask = {1, 2, 3, 4}) {
  Bytes out;
  out.reserve(payload.size() + 14);
  out.push_back(first);
  if (payload.size() < 126) {
    out.push_back(uint8_t(0x80 | payload.size()));
  } else if (payload.size() <= 0xFFFF) {
    out.push_back(0x80 | 126);
    out.push_back(uint8_t(payload.size() >> 8));
    out.push_back(uint8_t(payload.size()));
  } else {
    out.push_back(0x80 | 127);
    for (int i = 7; i >= 0; --i) out.push_back(uint8_t(uint64_t(payload.size()) >> (8 * i)));
  }
  for (const uint8_t m : mask) out.push_back(m);
  for (size_t i = 0; i < payload.size(); ++i) out.push_back(payload[i] ^ mask[i & 3]);
  return out;
}

TEST(WebSocketFrame, ReadsAMaskedBinaryFrameOfEachLengthForm) {
  for (size_t n : {0u, 5u, 125u, 126u, 1000u, 65535u, 65536u, 200000u}) {
    Bytes payload(n);
    for (size_t i = 0; i < n; ++i) payload[i] = uint8_t(i * 7);
    Bytes frame = client_frame(0x82, payload);
    WsFrameHeader h;
    ASSERT_EQ(parse_client_frame(frame, h), WsParse::kOk) << n;
    EXPECT_TRUE(h.fin);
    EXPECT_EQ(h.opcode, WsOpcode::kBinary);
    ASSERT_EQ(h.length, n);
    ASSERT_EQ(h.header_size + n, frame.size());
    std::span<uint8_t> body(frame.data() + h.header_size, n);
    unmask(body, h.mask);
    EXPECT_TRUE(std::equal(body.begin(), body.end(), payload.begin())) << n;
    // Every prefix shorter than the header asks for more.
    for (size_t cut = 0; cut < h.header_size; ++cut) {
      EXPECT_EQ(parse_client_frame({frame.data(), cut}, h), WsParse::kNeedMore) << n << " " << cut;
    }
  }
}

TEST(WebSocketFrame, RefusesWhatABrowserNeverSends) {
  WsFrameHeader h;
  Bytes unmasked = {0x82, 0x03, 1, 2, 3};
  EXPECT_EQ(parse_client_frame(unmasked, h), WsParse::kBad);
  EXPECT_EQ(parse_client_frame(client_frame(0xC2, {1}), h), WsParse::kBad);  // RSV1: no extension
  EXPECT_EQ(parse_client_frame(client_frame(0x83, {1}), h), WsParse::kBad);  // opcode 3 is reserved
  EXPECT_EQ(parse_client_frame(client_frame(0x09, {1}), h), WsParse::kBad);  // a fragmented ping
  EXPECT_EQ(parse_client_frame(client_frame(0x89, Bytes(126)), h), WsParse::kBad);  // long ping
  Bytes huge = {0x82, 0x80 | 127, 0x80, 0, 0, 0, 0, 0, 0, 0, 1, 2, 3, 4};
  EXPECT_EQ(parse_client_frame(huge, h), WsParse::kBad);  // top bit of a 64-bit length
  EXPECT_EQ(parse_client_frame(client_frame(0x89, {7}), h), WsParse::kOk);  // a ping is fine
  EXPECT_EQ(h.opcode, WsOpcode::kPing);
}

TEST(WebSocketFrame, WritesTheShortestServerHeader) {
  std::array<uint8_t, kMaxServerHeader> out{};
  EXPECT_EQ(write_server_header(WsOpcode::kBinary, 125, out), 2u);
  EXPECT_EQ(out[0], 0x82);
  EXPECT_EQ(out[1], 125);
  EXPECT_EQ(write_server_header(WsOpcode::kBinary, 126, out), 4u);
  EXPECT_EQ(out[1], 126);
  EXPECT_EQ(out[2], 0);
  EXPECT_EQ(out[3], 126);
  EXPECT_EQ(write_server_header(WsOpcode::kClose, 70000, out), 10u);
  EXPECT_EQ(out[0], 0x88);
  EXPECT_EQ(out[1], 127);
  EXPECT_EQ(out[7], 0x01);
  EXPECT_EQ(out[8], 0x11);
  EXPECT_EQ(out[9], 0x70);
}

TEST(HttpHead, ReadsAnUpgradeAndMakesTheAcceptKey) {
  const std::string text =
      "GET /ws HTTP/1.1\r\nHost: 127.0.0.1:8080\r\nUpgrade: websocket\r\nConnection: keep-alive, "
      "Upgrade\r\nOrigin: http://127.0.0.1:8080\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
      "Sec-WebSocket-Version: 13\r\n\r\n";
  ASSERT_EQ(http_head_end(text), text.size());
  EXPECT_EQ(http_head_end(text.substr(0, text.size() - 1)), 0u);
  const auto head = parse_http_head(text);
  ASSERT_TRUE(head);
  EXPECT_EQ(head->method, "GET");
  EXPECT_EQ(head->target, "/ws");
  EXPECT_EQ(head->host, "127.0.0.1:8080");
  EXPECT_EQ(head->origin, "http://127.0.0.1:8080");
  EXPECT_TRUE(head->upgrade_websocket);
  EXPECT_EQ(head->websocket_version, "13");
  // RFC 6455, section 1.3's example.
  EXPECT_EQ(websocket_accept(head->websocket_key), "s3pPLMBiTxaQ9kYGzzhZRbK+xOo=");
}

TEST(HttpHead, RefusesMalformedHeads) {
  EXPECT_FALSE(parse_http_head("GET\r\n\r\n"));
  EXPECT_FALSE(parse_http_head("GET /x HTTP/2\r\n\r\n"));
  EXPECT_FALSE(parse_http_head("GET x HTTP/1.1\r\n\r\n"));
  EXPECT_FALSE(parse_http_head("GET /x HTTP/1.1\r\nNo colon here\r\n\r\n"));
  EXPECT_FALSE(parse_http_head("GET /x HTTP/1.1\r\nHost: a\x1b[2J\r\n\r\n"));
  const auto plain = parse_http_head("GET /room?name=a HTTP/1.1\r\nHost: h\r\n\r\n");
  ASSERT_TRUE(plain);
  EXPECT_FALSE(plain->upgrade_websocket);
}

TEST(OriginPolicy, AllowsOnlyTheServersOwnOrigin) {
  auto address = parse_web_address("127.0.0.1:8080");
  ASSERT_TRUE(address.is_ok());
  auto policy = OriginPolicy::for_listener(*address, {});
  ASSERT_TRUE(policy.is_ok());
  EXPECT_TRUE(policy->allows("http://127.0.0.1:8080", "127.0.0.1:8080"));
  EXPECT_TRUE(policy->allows("http://localhost:8080", "localhost:8080"));
  EXPECT_FALSE(policy->allows("http://evil.example", "127.0.0.1:8080"));
  EXPECT_FALSE(policy->allows("null", "127.0.0.1:8080"));
  EXPECT_FALSE(policy->allows("", "127.0.0.1:8080"));
  EXPECT_FALSE(policy->allows("http://127.0.0.1:8081", "127.0.0.1:8080"));
  // A name rebound to this address: its own origin, but the Host header gives it away.
  EXPECT_FALSE(policy->allows("http://rebound.example:8080", "rebound.example:8080"));
}

TEST(OriginPolicy, ATlsListenersOwnOriginIsHttps) {
  auto address = parse_web_address("127.0.0.1:8443");
  ASSERT_TRUE(address.is_ok());
  auto policy = OriginPolicy::for_listener(*address, {}, true);
  ASSERT_TRUE(policy.is_ok());
  EXPECT_TRUE(policy->allows("https://127.0.0.1:8443", "127.0.0.1:8443"));
  EXPECT_TRUE(policy->allows("https://localhost:8443", "localhost:8443"));
  EXPECT_FALSE(policy->allows("http://127.0.0.1:8443", "127.0.0.1:8443"));
  EXPECT_FALSE(policy->allows("http://localhost:8443", "localhost:8443"));
}

TEST(OriginPolicy, NamedOriginsAndWildcards) {
  auto any = parse_web_address("0.0.0.0:8080");
  ASSERT_TRUE(any.is_ok());
  EXPECT_FALSE(OriginPolicy::for_listener(*any, {}).is_ok());  // which origin? it must be named
  auto named = OriginPolicy::for_listener(*any, {"https://Call.Example.org/"});
  ASSERT_TRUE(named.is_ok());
  EXPECT_TRUE(named->allows("https://call.example.org", "call.example.org"));
  EXPECT_FALSE(named->allows("http://call.example.org", "call.example.org"));
  EXPECT_FALSE(OriginPolicy::for_listener(*any, {"call.example.org"}).is_ok());
  EXPECT_FALSE(parse_web_address("8080").is_ok());
  EXPECT_FALSE(parse_web_address("::1:8080").is_ok());
  EXPECT_TRUE(parse_web_address("[::1]:8080").is_ok());
  EXPECT_FALSE(parse_web_address("127.0.0.1:99999").is_ok());
}

}  // namespace
}  // namespace ttycall::server::web

namespace ttycall::server::web {
namespace {

TEST(WebRoutes, ARelayIsAdmittedAsTheBrowserItSpeaksForOnce) {
  const auto loopback = asio::ip::make_address("127.0.0.1");
  WebRoutes routes(loopback);
  routes.route(40001, "192.0.2.7");
  // Another port, or the right port from another address, is no relay of the bridge.
  EXPECT_FALSE(routes.claim({loopback, 40002}));
  EXPECT_FALSE(routes.claim({asio::ip::make_address("127.0.0.2"), 40001}));
  const auto group = routes.claim({loopback, 40001});
  ASSERT_TRUE(group);
  EXPECT_EQ(*group, group_of(asio::ip::make_address("192.0.2.7")));
  EXPECT_FALSE(routes.claim({loopback, 40001}));  // claimed once
  routes.route(40003, "2001:db8:1:2::5");
  routes.route(40003, "");  // closed before the server accepted it
  EXPECT_FALSE(routes.claim({loopback, 40003}));
}

}  // namespace
}  // namespace ttycall::server::web
