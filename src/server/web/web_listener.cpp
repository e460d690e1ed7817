#include "server/web/web_listener.h"

#include <fmt/ranges.h>
#include <spdlog/spdlog.h>

#include <stdexcept>

#include "net/protocol.h"
#include "server/web/http_head.h"
#include "server/web/web_tls.h"

namespace ttycall::server::web {
namespace {

template <class T>
T must(core::Result<T> result) {
  if (!result.is_ok()) throw std::runtime_error(result.status().message());
  return std::move(*result);
}

// The relays reach the server's listener where it is bound; on loopback when it listens on
// every address.
asio::ip::tcp::endpoint relay_target_of(const asio::ip::tcp::endpoint& tcp) {
  if (!tcp.address().is_unspecified()) return tcp;
  const asio::ip::address loopback = tcp.address().is_v6()
                                         ? asio::ip::address(asio::ip::address_v6::loopback())
                                         : asio::ip::address(asio::ip::address_v4::loopback());
  return {loopback, tcp.port()};
}

}  // namespace

WebListener::WebListener(const ServerOptions& options, const asio::ip::tcp::endpoint& tcp,
                         const std::string& server_key)
    : options_(options),
      address_(must(parse_web_address(options.web))),
      relay_target_(relay_target_of(tcp)),
      routes_(relay_target_.address()),
      tls_(must(load_web_tls(options.web_tls_cert, options.web_tls_key))) {
  assets_.emplace(must(WebAssets::load(must(find_web_root(options.web_root)), server_key)));
  // OpenSSL sets itself up (thousands of small allocations it keeps until exit) on first use:
  // let that happen now, as the C library's own memory, not on the first browser's upgrade
  // under the bridge's allocation site, where the exit check would count it as a leak.
  websocket_accept("warm up OpenSSL");
  // The policy is checked now for what it can say before binding (a wildcard address).
  must(OriginPolicy::for_listener(address_, options.web_origins, tls()));
  WebBridgeConfig config;
  config.listen_host = address_.host;
  config.listen_port = address_.port;
  config.target = relay_target_;
  config.max_connections = size_t(options.max_clients + options.max_pending);
  config.max_per_address = size_t(options.max_connections_per_ip);
  config.handshake_timeout_ms = long(options.first_message_timeout * 1000);
  config.max_upstream_packet =
      net::kHeaderSize + net::max_payload(net::MsgType::kVideoUp) + net::kSealOverhead;
  config.max_downstream_packet =
      net::kHeaderSize + net::max_payload(net::MsgType::kVideoDown) + net::kSealOverhead;
  config.http = [this](const std::string& target) { return assets_->serve(target); };
  config.allow_origin = [this](const std::string& origin, const std::string& host) {
    return allows(origin, host);
  };
  config.route = [this](uint16_t port, const std::string& remote) { routes_.route(port, remote); };
  config.tls = tls_;
  bridge_ = std::make_unique<WebBridge>(std::move(config));
}

WebListener::~WebListener() {
  stop();
}

void WebListener::start() {
  bridge_->start();
  WebAddress bound = address_;
  bound.port = bridge_->port();
  {
    std::lock_guard lock(policy_mutex_);
    policy_ = must(OriginPolicy::for_listener(bound, options_.web_origins, tls()));
  }
  const bool v6 = bound.host.find(':') != std::string::npos;
  spdlog::info("web participants: {}://{}:{}/ROOM (WebSocket origins: {})",
               tls() ? "https" : "http", v6 ? "[" + bound.host + "]" : bound.host, bound.port,
               fmt::join(policy_.origins(), ", "));
}

void WebListener::stop() {
  bridge_->stop();
}

bool WebListener::allows(const std::string& origin, const std::string& host) {
  std::lock_guard lock(policy_mutex_);
  const bool ok = policy_.allows(origin, host);
  // The header's text is not logged: it is the sender's, unchecked.
  if (!ok) spdlog::info("web: refused a WebSocket upgrade from a page of another origin");
  return ok;
}

}  // namespace ttycall::server::web
