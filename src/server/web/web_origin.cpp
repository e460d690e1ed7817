#include "server/web/web_origin.h"

#include <asio/ip/address.hpp>
#include <charconv>

#include "server/web/http_head.h"

namespace ttycall::server::web {
namespace {

std::string authority(std::string_view host, uint16_t port) {
  const bool v6 = host.find(':') != std::string_view::npos;
  return (v6 ? "[" + std::string(host) + "]" : std::string(host)) + ":" + std::to_string(port);
}

}  // namespace

core::Result<WebAddress> parse_web_address(std::string_view text) {
  const auto bad = [&] {
    return core::Status::invalid_input(
        "--web wants HOST:PORT (e.g. 127.0.0.1:8080 or [::1]:8080), "
        "not '" +
        std::string(text) + "'");
  };
  const size_t colon = text.rfind(':');
  if (colon == std::string_view::npos || colon == 0) return bad();
  std::string_view host = text.substr(0, colon);
  const std::string_view port_text = text.substr(colon + 1);
  if (host.front() == '[') {
    if (host.size() < 3 || host.back() != ']') return bad();
    host = host.substr(1, host.size() - 2);
  } else if (host.find(':') != std::string_view::npos) {
    return bad();
  }
  unsigned port = 0;
  const auto [end, ec] =
      std::from_chars(port_text.data(), port_text.data() + port_text.size(), port);
  if (ec != std::errc() || end != port_text.data() + port_text.size() || port > 65535) return bad();
  WebAddress address{std::string(host), uint16_t(port)};
  if (address.host == "localhost") address.host = "127.0.0.1";
  asio::error_code bad_ip;
  asio::ip::make_address(address.host, bad_ip);
  if (bad_ip)
    return core::Status::invalid_input("--web: '" + std::string(host) + "' is not an IP address");
  return address;
}

core::Result<OriginPolicy> OriginPolicy::for_listener(const WebAddress& bound,
                                                      const std::vector<std::string>& extra,
                                                      bool tls) {
  OriginPolicy policy;
  for (const std::string& origin : extra) {
    if (origin.rfind("http://", 0) != 0 && origin.rfind("https://", 0) != 0) {
      return core::Status::invalid_input(
          "--web-origin wants http://HOST:PORT or https://HOST[:PORT], "
          "not '" +
          origin + "'");
    }
    std::string o = ascii_lower(origin);
    while (!o.empty() && o.back() == '/') o.pop_back();
    policy.origins_.push_back(std::move(o));
  }
  if (!policy.origins_.empty()) return policy;
  const asio::ip::address address = asio::ip::make_address(bound.host);
  if (address.is_unspecified()) {
    return core::Status::invalid_input(
        "--web " + authority(bound.host, bound.port) +
        " listens on every address, so the page's origin is not known: name it with "
        "--web-origin http://NAME:PORT (the address browsers open)");
  }
  const std::string scheme = tls ? "https://" : "http://";
  policy.origins_.push_back(scheme + authority(ascii_lower(bound.host), bound.port));
  if (address.is_loopback()) {
    policy.origins_.push_back(scheme + authority("localhost", bound.port));
  }
  return policy;
}

bool OriginPolicy::allows(std::string_view origin, std::string_view host) const {
  const std::string o = ascii_lower(origin);
  const std::string h = ascii_lower(host);
  for (const std::string& allowed : origins_) {
    if (o != allowed) continue;
    // The Host header is the origin's authority (a default port may be left out of it).
    const std::string_view rest = std::string_view(allowed).substr(allowed.find("//") + 2);
    if (h == rest) return true;
    const bool tls = allowed.rfind("https://", 0) == 0;
    const std::string port = tls ? ":443" : ":80";
    if (h + port == rest || h == std::string(rest) + port) return true;
  }
  return false;
}

}  // namespace ttycall::server::web
