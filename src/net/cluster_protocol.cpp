#include "net/cluster_protocol.h"

#include <algorithm>
#include <cstring>

#include "net/byte_io.h"

namespace ttycall::net {
namespace {

bool address_char(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' ||
         c == '-' || c == ':' || c == '[' || c == ']';
}

void write_address(ByteWriter& w, std::string_view address) {
  w.u8(uint8_t(address.size()));
  w.bytes(address);
}

// Reads a length-prefixed address into `out` (kMaxNodeAddressBytes); false if malformed.
bool read_address(ByteReader& r, uint8_t& len, std::array<char, kMaxNodeAddressBytes>& out) {
  len = r.u8();
  const auto bytes = r.bytes(len);
  if (!r.ok()) return false;
  const std::string_view text(reinterpret_cast<const char*>(bytes.data()), bytes.size());
  if (!is_valid_node_address(text)) return false;
  std::memcpy(out.data(), bytes.data(), len);
  return true;
}

bool read_node(ByteReader& r, NodeAddress& node) {
  if (!read_address(r, node.len, node.bytes)) return false;
  const auto key = r.bytes(kKeyBytes);
  if (!r.ok()) return false;
  std::memcpy(node.key.data(), key.data(), kKeyBytes);
  return true;
}

void write_node(ByteWriter& w, const NodeAddress& node) {
  write_address(w, node.view());
  w.bytes(std::span<const uint8_t>(node.key));
}

size_t finish(const ByteWriter& w) {
  return w.ok() ? w.size() : 0;
}

}  // namespace

bool is_valid_node_address(std::string_view text) {
  return !text.empty() && text.size() <= size_t(kMaxNodeAddressBytes) &&
         std::all_of(text.begin(), text.end(), address_char);
}

bool NodeAddress::set(std::string_view text) {
  if (!is_valid_node_address(text)) return false;
  len = uint8_t(text.size());
  std::memcpy(bytes.data(), text.data(), text.size());
  return true;
}

size_t encode(const Redirect& msg, std::span<uint8_t> out) {
  if (!is_valid_node_address(msg.node.view())) return 0;
  ByteWriter w(out);
  write_node(w, msg.node);
  return finish(w);
}

size_t encode(const ClusterNodes& msg, std::span<uint8_t> out) {
  if (msg.count > kMaxClusterNodes) return 0;
  ByteWriter w(out);
  w.u8(msg.count);
  for (size_t i = 0; i < msg.count; ++i) {
    if (!is_valid_node_address(msg.nodes[i].view())) return 0;
    write_node(w, msg.nodes[i]);
  }
  return finish(w);
}

size_t encode(const ClusterRoomList& msg, std::span<uint8_t> out) {
  if (msg.count > kMaxListedClusterRooms) return 0;
  ByteWriter w(out);
  w.u16(msg.total);
  w.u16(msg.count);
  for (size_t i = 0; i < msg.count; ++i) {
    const ClusterRoomInfo& room = msg.rooms[i];
    if (room.name.len == 0 || room.name.len > kMaxRoomNameBytes ||
        !is_valid_node_address(room.address_view())) {
      return 0;
    }
    w.u16(room.members);
    w.u8(room.name.len);
    w.bytes(room.name.view());
    write_address(w, room.address_view());
  }
  return finish(w);
}

bool decode(std::span<const uint8_t> in, Redirect& out) {
  ByteReader r(in);
  Redirect m;
  if (!read_node(r, m.node) || !r.done()) return false;
  out = m;
  return true;
}

bool decode(std::span<const uint8_t> in, ClusterNodes& out) {
  ByteReader r(in);
  ClusterNodes m;
  m.count = r.u8();
  if (!r.ok() || m.count > kMaxClusterNodes) return false;
  for (size_t i = 0; i < m.count; ++i) {
    if (!read_node(r, m.nodes[i])) return false;
  }
  if (!r.done()) return false;
  out = m;
  return true;
}

bool decode(std::span<const uint8_t> in, ClusterRoomList& out) {
  ByteReader r(in);
  ClusterRoomList m;
  m.total = r.u16();
  m.count = r.u16();
  if (!r.ok() || m.count > kMaxListedClusterRooms || m.count > m.total) return false;
  for (size_t i = 0; i < m.count; ++i) {
    ClusterRoomInfo& room = m.rooms[i];
    room.members = r.u16();
    const uint8_t len = r.u8();
    const auto name = r.bytes(len);
    if (!r.ok() || len == 0 || len > kMaxRoomNameBytes) return false;
    const std::string_view text(reinterpret_cast<const char*>(name.data()), name.size());
    if (!is_valid_room_name(text)) return false;
    room.name.len = len;
    std::memcpy(room.name.bytes.data(), name.data(), len);
    if (!read_address(r, room.address_len, room.address)) return false;
  }
  if (!r.done()) return false;
  out = m;
  return true;
}

}  // namespace ttycall::net
