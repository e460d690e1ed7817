#include "server/unique_name.h"

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <cstring>

#include "core/utf8.h"

namespace ttycall::server {
namespace {

// The longest prefix of `text` of at most `bytes` bytes that ends between code points.
size_t cut_on_code_point(std::string_view text, size_t bytes) {
  size_t end = 0;
  while (end < text.size()) {
    const core::utf8::Decoded d = core::utf8::decode(text.substr(end));
    if (d.length == 0 || end + d.length > bytes) break;
    end += d.length;
  }
  return end;
}

}  // namespace

net::Name suffixed_name(const net::Name& wanted, size_t n) {
  std::array<char, 24> suffix;
  const auto r = fmt::format_to_n(suffix.data(), suffix.size(), " ({})", n);
  const size_t suffix_len = std::min(r.size, suffix.size());
  const size_t base = cut_on_code_point(wanted.view(), net::kMaxNameBytes - suffix_len);
  net::Name name;
  std::memcpy(name.bytes.data(), wanted.bytes.data(), base);
  std::memcpy(name.bytes.data() + base, suffix.data(), suffix_len);
  name.len = uint8_t(base + suffix_len);
  return name;
}

}  // namespace ttycall::server
