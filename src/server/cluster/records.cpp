#include "server/cluster/records.h"

#include <charconv>
#include <sstream>

namespace ttycall::server::cluster {
namespace {

constexpr std::string_view kNodeTag = "ttycall-node-1";
constexpr std::string_view kClaimTag = "ttycall-room-1";

std::string hex(std::span<const uint8_t> bytes) {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string out;
  out.reserve(bytes.size() * 2);
  for (uint8_t b : bytes) {
    out += kDigits[b >> 4];
    out += kDigits[b & 15];
  }
  return out;
}

std::string hex(std::string_view text) {
  return hex(std::span<const uint8_t>(reinterpret_cast<const uint8_t*>(text.data()), text.size()));
}

int nibble(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  return -1;
}

// Decodes `text` (an even number of lowercase hex digits) into `out`; false if malformed.
bool unhex(std::string_view text, std::string& out) {
  if (text.size() % 2 != 0) return false;
  out.clear();
  for (size_t i = 0; i < text.size(); i += 2) {
    const int hi = nibble(text[i]), lo = nibble(text[i + 1]);
    if (hi < 0 || lo < 0) return false;
    out += char(hi * 16 + lo);
  }
  return true;
}

bool unhex_key(std::string_view text, std::array<uint8_t, net::kKeyBytes>& key) {
  std::string bytes;
  if (!unhex(text, bytes) || bytes.size() != key.size()) return false;
  std::copy(bytes.begin(), bytes.end(), key.begin());
  return true;
}

}  // namespace

std::string node_id(std::string_view address) {
  return "n" + hex(address);
}

std::string room_key(std::string_view room_name) {
  return "r" + hex(room_name);
}

std::optional<std::string> room_name_of_key(std::string_view key) {
  std::string name;
  if (key.empty() || key[0] != 'r' || !unhex(key.substr(1), name)) return std::nullopt;
  if (!net::is_valid_room_name(name)) return std::nullopt;
  return name;
}

std::string encode(const NodeRecord& node) {
  std::ostringstream out;
  out << kNodeTag << ' ' << node.id << ' ' << node.address << ' ' << hex(node.key) << ' '
      << node.clients << ' ' << node.views << ' ' << node.rooms << ' ' << int(node.cpu * 1000)
      << ' ' << (node.draining ? 1 : 0);
  return out.str();
}

std::optional<NodeRecord> decode_node(std::string_view text) {
  std::istringstream in{std::string(text)};
  std::string tag, key;
  NodeRecord node;
  int cpu_permille = 0, draining = 0;
  if (!(in >> tag >> node.id >> node.address >> key >> node.clients >> node.views >> node.rooms >>
        cpu_permille >> draining) ||
      tag != kNodeTag || !net::is_valid_node_address(node.address) ||
      node.id != node_id(node.address) || !unhex_key(key, node.key) || node.clients < 0 ||
      node.views < 0 || node.rooms < 0 || cpu_permille < 0 || (draining != 0 && draining != 1)) {
    return std::nullopt;
  }
  std::string rest;
  if (in >> rest) return std::nullopt;
  node.cpu = cpu_permille / 1000.0;
  node.draining = draining == 1;
  return node;
}

std::string encode(const RoomClaim& claim) {
  std::ostringstream out;
  out << kClaimTag << ' ' << claim.node_id << ' ' << claim.address << ' ' << hex(claim.key) << ' '
      << claim.members;
  return out.str();
}

std::optional<RoomClaim> decode_claim(std::string_view text) {
  std::istringstream in{std::string(text)};
  std::string tag, key, rest;
  RoomClaim claim;
  if (!(in >> tag >> claim.node_id >> claim.address >> key >> claim.members) || tag != kClaimTag ||
      !net::is_valid_node_address(claim.address) || claim.node_id != node_id(claim.address) ||
      !unhex_key(key, claim.key) || claim.members < 0 || (in >> rest)) {
    return std::nullopt;
  }
  return claim;
}

net::NodeAddress node_address(const std::string& address,
                              const std::array<uint8_t, net::kKeyBytes>& key) {
  net::NodeAddress node;
  node.set(address);
  node.key = key;
  return node;
}

}  // namespace ttycall::server::cluster
