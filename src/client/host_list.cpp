#include "client/host_list.h"

#include <algorithm>

#include "client/server_address.h"
#include "core/utf8.h"

namespace ttycall::client {

core::Result<HostList::Entry> parse_host_port(std::string_view text, uint16_t default_port) {
  if (text.find('/') != std::string_view::npos) {
    return core::Status::invalid_input("'" + core::utf8::printable(text) +
                                       "' is not HOST[:PORT] (a room goes in --room)");
  }
  core::Result<ServerAddress> address = parse_server_address(text);
  if (!address.is_ok()) return address.status();
  return HostList::Entry{address->host, address->port.value_or(default_port), std::nullopt};
}

core::Result<HostList> HostList::parse(std::string_view text, uint16_t default_port) {
  HostList list;
  size_t start = 0;
  while (true) {
    const size_t comma = text.find(',', start);
    const std::string_view one = text.substr(
        start, comma == std::string_view::npos ? std::string_view::npos : comma - start);
    if (one.empty()) {
      return core::Status::invalid_input("'" + core::utf8::printable(text) +
                                         "' has an empty entry: give HOST[:PORT],HOST[:PORT],...");
    }
    core::Result<Entry> entry = parse_host_port(one, default_port);
    if (!entry.is_ok()) return entry.status();
    list.entries_.push_back(std::move(*entry));
    if (comma == std::string_view::npos) break;
    start = comma + 1;
  }
  return list;
}

void HostList::advance() {
  current_ = (current_ + 1) % entries_.size();
}

size_t HostList::take(const net::NodeAddress& node) {
  core::Result<Entry> parsed = parse_host_port(node.view(), 0);
  std::optional<net::PublicKey> key;
  if (std::any_of(node.key.begin(), node.key.end(), [](uint8_t b) { return b != 0; })) {
    net::PublicKey k;
    std::copy(node.key.begin(), node.key.end(), k.bytes.begin());
    key = k;
  }
  if (!parsed.is_ok() || parsed->port == 0) return entries_.size();  // not an address: ignored
  auto it = std::find_if(entries_.begin(), entries_.end(), [&](const Entry& e) {
    return e.host == parsed->host && e.port == parsed->port;
  });
  if (it == entries_.end()) {
    entries_.push_back({parsed->host, parsed->port, key});
    return entries_.size() - 1;
  }
  if (key) it->vouched = key;
  return size_t(it - entries_.begin());
}

void HostList::redirect_to(const net::NodeAddress& node) {
  const size_t index = take(node);
  if (index < entries_.size()) current_ = index;
}

void HostList::learn(const net::ClusterNodes& nodes) {
  for (size_t i = 0; i < nodes.count; ++i) take(nodes.nodes[i]);
}

}  // namespace ttycall::client
