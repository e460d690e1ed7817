#include "server/web/http_head.h"

#include <openssl/evp.h>
#include <sodium.h>

#include <array>

namespace ttycall::server::web {
namespace {

std::string_view trim(std::string_view text) {
  while (!text.empty() && (text.front() == ' ' || text.front() == '\t')) text.remove_prefix(1);
  while (!text.empty() && (text.back() == ' ' || text.back() == '\t')) text.remove_suffix(1);
  return text;
}

bool printable(std::string_view text) {
  for (const char c : text) {
    if (static_cast<unsigned char>(c) < 0x20 || c == 0x7F) return false;
  }
  return true;
}

}  // namespace

std::string ascii_lower(std::string_view text) {
  std::string out(text);
  for (char& c : out) {
    if (c >= 'A' && c <= 'Z') c = char(c - 'A' + 'a');
  }
  return out;
}

size_t http_head_end(std::string_view bytes) {
  const size_t at = bytes.find("\r\n\r\n");
  return at == std::string_view::npos ? 0 : at + 4;
}

std::optional<HttpHead> parse_http_head(std::string_view text) {
  HttpHead head;
  size_t line_end = text.find("\r\n");
  if (line_end == std::string_view::npos) return std::nullopt;
  const std::string_view request = text.substr(0, line_end);
  const size_t sp1 = request.find(' ');
  const size_t sp2 = request.rfind(' ');
  if (sp1 == std::string_view::npos || sp2 == sp1 || !printable(request)) return std::nullopt;
  if (request.substr(sp2 + 1) != "HTTP/1.1" && request.substr(sp2 + 1) != "HTTP/1.0") {
    return std::nullopt;
  }
  head.method = std::string(request.substr(0, sp1));
  head.target = std::string(request.substr(sp1 + 1, sp2 - sp1 - 1));
  if (head.target.empty() || head.target.front() != '/') return std::nullopt;
  bool upgrade = false;
  bool connection_upgrade = false;
  size_t at = line_end + 2;
  while (at < text.size()) {
    line_end = text.find("\r\n", at);
    if (line_end == std::string_view::npos) line_end = text.size();
    const std::string_view line = text.substr(at, line_end - at);
    at = line_end + 2;
    if (line.empty()) break;
    const size_t colon = line.find(':');
    if (colon == std::string_view::npos || colon == 0 || !printable(line)) return std::nullopt;
    const std::string name = ascii_lower(line.substr(0, colon));
    const std::string_view value = trim(line.substr(colon + 1));
    if (name == "host") {
      head.host = std::string(value);
    } else if (name == "origin") {
      head.origin = std::string(value);
    } else if (name == "upgrade") {
      upgrade = ascii_lower(value) == "websocket";
    } else if (name == "connection") {
      connection_upgrade = ascii_lower(value).find("upgrade") != std::string::npos;
    } else if (name == "sec-websocket-key") {
      head.websocket_key = std::string(value);
    } else if (name == "sec-websocket-version") {
      head.websocket_version = std::string(value);
    }
  }
  head.upgrade_websocket = upgrade && connection_upgrade;
  return head;
}

std::string websocket_accept(std::string_view key) {
  static constexpr std::string_view kGuid = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11";
  std::string input(key);
  input += kGuid;
  std::array<unsigned char, EVP_MAX_MD_SIZE> digest{};
  unsigned int size = 0;
  EVP_Digest(input.data(), input.size(), digest.data(), &size, EVP_sha1(), nullptr);
  std::string text(sodium_base64_encoded_len(size, sodium_base64_VARIANT_ORIGINAL), '\0');
  sodium_bin2base64(text.data(), text.size(), digest.data(), size, sodium_base64_VARIANT_ORIGINAL);
  text.resize(text.size() - 1);  // the terminating NUL
  return text;
}

}  // namespace ttycall::server::web
