// web_fuzz: the web endpoint's parsers of what a browser (or anyone) sends before and after
// the WebSocket upgrade (src/server/web/).
//
// Every input is used two ways:
//   1. As bytes from the browser after the upgrade: the frame parser (parse_client_frame)
//      either asks for more, refuses, or gives a header that lies inside the input it
//      claims (header_size <= input, a control frame has FIN and at most 125 bytes, no
//      reserved bits); frames are walked one after another as the relay does, unmasking
//      each payload in an exact-size copy (ASan sees any read past it), and unmasking twice
//      gives the original bytes back. A server header for each length decodes back (after
//      masking) to the same opcode and length.
//   2. As an HTTP request head: http_head_end finds the blank line or says 0, and
//      parse_http_head never accepts a target that does not start with '/' or a header
//      value holding a control character.
#include <cstddef>
#include <cstdint>
#include <span>
#include <string_view>
#include <vector>

#include "fuzz_common.h"
#include "server/web/http_head.h"
#include "server/web/websocket_frame.h"

using namespace ttycall::server::web;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::span<const uint8_t> rest(data, size);
  for (int frames = 0; frames < 64 && !rest.empty(); ++frames) {
    WsFrameHeader h;
    const WsParse parsed = parse_client_frame(rest, h);
    if (parsed != WsParse::kOk) break;
    FUZZ_CHECK(h.header_size >= 6 && h.header_size <= 14 && h.header_size <= rest.size());
    if (uint8_t(h.opcode) >= 8) FUZZ_CHECK(h.fin && h.length <= 125);
    if (h.length > rest.size() - h.header_size) break;  // the relay would read more
    std::vector<uint8_t> payload(rest.begin() + h.header_size,
                                 rest.begin() + h.header_size + size_t(h.length));
    const std::vector<uint8_t> original = payload;
    unmask(payload, h.mask);
    unmask(payload, h.mask);
    FUZZ_CHECK(payload == original);
    // The server's header for the same length, masked as a client would, parses back.
    std::array<uint8_t, kMaxServerHeader> out{};
    const size_t n = write_server_header(h.opcode, h.length, out);
    std::vector<uint8_t> echo(out.begin(), out.begin() + n);
    echo[1] |= 0x80;
    echo.insert(echo.end(), {1, 2, 3, 4});
    WsFrameHeader back;
    FUZZ_CHECK(parse_client_frame(echo, back) == WsParse::kOk);
    FUZZ_CHECK(back.opcode == h.opcode && back.length == h.length && back.fin);
    rest = rest.subspan(h.header_size + size_t(h.length));
  }

  const std::string_view text(reinterpret_cast<const char*>(data), size);
  const size_t end = http_head_end(text);
  FUZZ_CHECK(end == 0 || (end >= 4 && end <= size && text.substr(end - 4, 4) == "\r\n\r\n"));
  if (const auto head = parse_http_head(text.substr(0, end == 0 ? size : end))) {
    FUZZ_CHECK(!head->target.empty() && head->target.front() == '/');
    for (const std::string* field : {&head->host, &head->origin, &head->websocket_key}) {
      for (const char c : *field) FUZZ_CHECK(static_cast<unsigned char>(c) >= 0x20 && c != 0x7F);
    }
  }
  return 0;
}
