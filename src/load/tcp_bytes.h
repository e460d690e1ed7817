#pragma once
// Byte counters of this process's TCP connections, as the kernel keeps them (TCP_INFO):
// the load generator's upstream figure, measured without touching the Client class.
#include <cstdint>
#include <map>
#include <string>

namespace ttycall::load {

struct TcpBytes {
  uint64_t sent = 0;      // payload bytes this end sent that the peer acknowledged
  uint64_t received = 0;  // payload bytes this end received
};

// Every connected TCP socket of this process whose peer is `peer_ip`:`peer_port` (dotted
// IPv4, e.g. "127.0.0.1"), keyed by its local port (unique per connection).
std::map<uint16_t, TcpBytes> tcp_bytes_to(const std::string& peer_ip, uint16_t peer_port);

}  // namespace ttycall::load
