#pragma once
// Who may open the web endpoint's WebSocket: only pages of the server's own web origin. A
// browser sends the page's Origin with every WebSocket upgrade, so a page of any other site
// a participant happens to visit cannot reach the call through that participant's browser.
// The Host header must name the same origin too, so a rebinding of another name to this
// address does not pass either.
#include <string>
#include <string_view>
#include <vector>

#include "core/status.h"

namespace ttycall::server::web {

struct WebAddress {
  std::string host;  // as given, without brackets: "127.0.0.1", "::1", "localhost"
  uint16_t port = 0;
};

// "HOST:PORT", an IPv6 address in brackets ("[::1]:8080"); PORT 0 = any free port.
core::Result<WebAddress> parse_web_address(std::string_view text);

class OriginPolicy {
 public:
  OriginPolicy() = default;  // allows nothing
  // The origins a page of this listener has: `extra` (--web-origin) if any, else what the
  // bound address names (a loopback address: its localhost spellings too). A wildcard
  // address needs `extra`: no origin follows from it. `tls`: the listener serves https://.
  static core::Result<OriginPolicy> for_listener(const WebAddress& bound,
                                                 const std::vector<std::string>& extra,
                                                 bool tls = false);

  bool allows(std::string_view origin, std::string_view host) const;
  const std::vector<std::string>& origins() const { return origins_; }

 private:
  std::vector<std::string> origins_;  // "http://host:port" or "https://...", lower case
};

}  // namespace ttycall::server::web
