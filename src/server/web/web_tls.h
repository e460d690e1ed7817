#pragma once
// `--web-tls-cert CERT.pem --web-tls-key KEY.pem`: the TLS context the web endpoint serves
// https:// and wss:// with (web_connection.h runs the handshake). Loaded once at start-up, so
// a missing, unreadable or mismatched file stops the server with a clear message before it
// listens, never a failure per browser later.
#include <asio/ssl/context.hpp>
#include <memory>
#include <string>

#include "core/status.h"

namespace ttycall::server::web {

// Null when both paths are empty (plain HTTP); an error when only one is given or a file
// does not hold what it should (a PEM certificate chain, its PEM private key).
core::Result<std::shared_ptr<asio::ssl::context>> load_web_tls(const std::string& cert_path,
                                                               const std::string& key_path);

}  // namespace ttycall::server::web
