#include "server/web/web_tls.h"

#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/ssl.h>

#include <cstdlib>
#include <fstream>

#include "core/alloc_accounting.h"

namespace ttycall::server::web {
namespace {

// Why OpenSSL refused ("no start line", "key values mismatch"); its error queue cleared.
std::string openssl_reason(const asio::error_code& ec) {
  const unsigned long code = ERR_get_error();
  ERR_clear_error();
  if (ec) return ec.message();
  const char* reason = code != 0 ? ERR_reason_error_string(code) : nullptr;
  return reason != nullptr ? reason : "unknown error";
}

// OpenSSL's memory is a C library's own, whichever thread asks: it caches what the first
// handshakes fetch (ciphers, groups) until exit, so under the bridge's site the exit check
// would count that as the server's leak. It is counted all the same (the memory report's
// totals and churn), as "malloc (unattributed)".
class AsCLibrary {
 public:
  AsCLibrary() : previous_(core::alloc_accounting::current_site()) {
    core::alloc_accounting::set_current_site(core::kMallocSite);
  }
  ~AsCLibrary() { core::alloc_accounting::set_current_site(previous_); }
  AsCLibrary(const AsCLibrary&) = delete;
  AsCLibrary& operator=(const AsCLibrary&) = delete;

 private:
  core::SiteId previous_;
};

void* openssl_malloc(size_t bytes, const char*, int) {
  AsCLibrary scope;
  return std::malloc(bytes);
}
void* openssl_realloc(void* pointer, size_t bytes, const char*, int) {
  AsCLibrary scope;
  return std::realloc(pointer, bytes);
}
void openssl_free(void* pointer, const char*, int) {
  std::free(pointer);
}

// Possible only before OpenSSL's first allocation (else it keeps malloc; the exit check would
// then say so): the web listener loads TLS before its first SHA-1.
void count_openssl_as_c_library() {
  CRYPTO_set_mem_functions(openssl_malloc, openssl_realloc, openssl_free);
}

}  // namespace

core::Result<std::shared_ptr<asio::ssl::context>> load_web_tls(const std::string& cert_path,
                                                               const std::string& key_path) {
  if (cert_path.empty() && key_path.empty()) return std::shared_ptr<asio::ssl::context>();
  if (cert_path.empty() || key_path.empty()) {
    return core::Status::invalid_input(
        "--web-tls-cert and --web-tls-key go together: give both (a PEM certificate chain and "
        "its PEM private key) or neither");
  }
  for (const auto& [option, path] :
       {std::pair{"--web-tls-cert", &cert_path}, std::pair{"--web-tls-key", &key_path}}) {
    if (!std::ifstream(*path)) {
      return core::Status::invalid_input(std::string(option) + " " + *path +
                                         ": cannot open the file");
    }
  }
  count_openssl_as_c_library();
  auto context = std::make_shared<asio::ssl::context>(asio::ssl::context::tls_server);
  context->set_options(asio::ssl::context::default_workarounds | asio::ssl::context::no_sslv2 |
                       asio::ssl::context::no_sslv3 | asio::ssl::context::no_tlsv1 |
                       asio::ssl::context::no_tlsv1_1);
  asio::error_code ec;
  context->use_certificate_chain_file(cert_path, ec);
  if (ec) {
    return core::Status::invalid_input("--web-tls-cert " + cert_path +
                                       ": not a PEM certificate chain (" + openssl_reason(ec) +
                                       ")");
  }
  context->use_private_key_file(key_path, asio::ssl::context::pem, ec);
  if (ec || SSL_CTX_check_private_key(context->native_handle()) != 1) {
    return core::Status::invalid_input("--web-tls-key " + key_path +
                                       ": not the PEM private key of --web-tls-cert (" +
                                       openssl_reason(ec) + ")");
  }
  return context;
}

}  // namespace ttycall::server::web
