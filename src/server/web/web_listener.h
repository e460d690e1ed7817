#pragma once
// `ttycall server --web HOST:PORT`: the page, and a WebSocket endpoint that carries the
// ttycall protocol for browsers. Assembles the bridge (web_bridge.h: HTTP + WebSocket, each
// socket relayed to the server's own TCP listener on loopback), the origin check
// (web_origin.h), the files (web_assets.h) and the routes that tell the server's admission
// which browser a relay speaks for (web_routes.h).
//
// Why a relay to the TCP listener rather than a second transport inside Connection: the
// session, its limits, its timeouts, its crypto and its memory rules stay exactly one code
// path, so a browser cannot reach anything a terminal client cannot, and nothing in the
// session knows which transport a participant came by.
#include <asio/ip/tcp.hpp>
#include <asio/ssl/context.hpp>
#include <memory>
#include <mutex>
#include <optional>
#include <string>

#include "server/address_group.h"
#include "server/server_options.h"
#include "server/web/web_assets.h"
#include "server/web/web_bridge.h"
#include "server/web/web_origin.h"
#include "server/web/web_routes.h"

namespace ttycall::server::web {

class WebListener {
 public:
  // `tcp` is where the server's own listener is bound (its port already known).
  WebListener(const ServerOptions& options, const asio::ip::tcp::endpoint& tcp,
              const std::string& server_key);
  ~WebListener();
  WebListener(const WebListener&) = delete;
  WebListener& operator=(const WebListener&) = delete;

  // Binds and serves. Throws std::runtime_error with a clear message on failure.
  void start();
  void stop();
  uint16_t port() const { return bridge_->port(); }
  // The browser's address group if `remote` is one of this listener's relays (once).
  std::optional<AddressGroup> claim(const asio::ip::tcp::endpoint& remote) {
    return routes_.claim(remote);
  }
  WebBridgeCounters counters() const { return bridge_->counters(); }

 private:
  bool allows(const std::string& origin, const std::string& host);
  bool tls() const { return tls_ != nullptr; }

  const ServerOptions& options_;
  WebAddress address_;
  asio::ip::tcp::endpoint relay_target_;
  WebRoutes routes_;
  std::shared_ptr<asio::ssl::context> tls_;  // null: plain HTTP
  std::optional<WebAssets> assets_;
  std::mutex policy_mutex_;
  OriginPolicy policy_;  // set once the port is known
  std::unique_ptr<WebBridge> bridge_;
};

}  // namespace ttycall::server::web
