#include "server/web/web_bridge.h"

#include <stdexcept>

#include "core/alloc_accounting.h"
#include "server/web/web_connection.h"

namespace ttycall::server::web {

WebBridge::WebBridge(WebBridgeConfig config) : config_(std::move(config)) {}

WebBridge::~WebBridge() {
  stop();
}

void WebBridge::start() {
  asio::error_code ec;
  const asio::ip::address address = asio::ip::make_address(config_.listen_host, ec);
  if (ec) throw std::runtime_error("invalid --web address '" + config_.listen_host + "'");
  const asio::ip::tcp::endpoint endpoint(address, config_.listen_port);
  acceptor_.open(endpoint.protocol(), ec);
  if (!ec) acceptor_.set_option(asio::ip::tcp::acceptor::reuse_address(true), ec);
  if (!ec) acceptor_.bind(endpoint, ec);
  if (!ec) acceptor_.listen(asio::socket_base::max_listen_connections, ec);
  if (ec) {
    throw std::runtime_error("cannot listen for the web on " + config_.listen_host + ":" +
                             std::to_string(config_.listen_port) + ": " + ec.message());
  }
  port_ = acceptor_.local_endpoint().port();
  connections_.reserve(config_.max_connections);
  accept();
  thread_ = std::thread([this] {
    // What the bridge allocates (at connect and upgrade) gets a line of its own.
    static const core::AllocSite site("web.bridge");
    core::ScopedAllocSite scope(site);
    io_.run();
  });
}

void WebBridge::accept() {
  acceptor_.async_accept([this](const asio::error_code& ec, asio::ip::tcp::socket socket) {
    if (ec == asio::error::operation_aborted) return;
    if (!ec) {
      std::erase_if(connections_, [](const auto& c) { return c.expired(); });
      asio::error_code error;
      const auto remote = socket.remote_endpoint(error);
      const AddressGroup group = error ? AddressGroup{} : group_of(remote.address());
      size_t same_group = 0;
      for (const auto& weak : connections_) {
        if (const auto c = weak.lock(); c && c->group() == group) ++same_group;
      }
      if (error || connections_.size() >= config_.max_connections ||
          same_group >= config_.max_per_address) {
        asio::error_code ignored;
        socket.close(ignored);  // full: refused before anything is built for it
      } else if (config_.tls) {
        admit(TlsStream(std::move(socket), *config_.tls), group);
      } else {
        admit(std::move(socket), group);
      }
    }
    accept();
  });
}

template <class Stream>
void WebBridge::admit(Stream browser, const AddressGroup& group) {
  auto connection = std::make_shared<WebConnection<Stream>>(
      std::move(browser), group, config_, config_.target, counters_, counters_mutex_);
  connections_.push_back(connection);
  connection->start();
}

void WebBridge::stop() {
  if (!thread_.joinable()) return;
  asio::post(io_, [this] {
    asio::error_code ignored;
    acceptor_.close(ignored);
    for (auto& weak : connections_) {
      if (auto c = weak.lock()) c->close();
    }
  });
  // Every handler left finds its connection closed and returns; then run() has no work.
  thread_.join();
  connections_.clear();
}

WebBridgeCounters WebBridge::counters() const {
  std::lock_guard lock(counters_mutex_);
  return counters_;
}

}  // namespace ttycall::server::web
