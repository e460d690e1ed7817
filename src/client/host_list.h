#pragma once
// Where a client connects: the servers the user gave (`--host a,b:9000,c`) and, in a
// cluster, the nodes the cluster named since (a Redirect, the Welcome's ClusterNodes). A
// reconnect goes to the next one in turn, so when a node dies the call moves to a live one.
// A node named by an authenticated node comes with its key: the client trusts that key for
// it without a first-use prompt, and refuses a node that does not prove it.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/status.h"
#include "net/cluster_protocol.h"
#include "net/keys.h"

namespace ttycall::client {

class HostList {
 public:
  struct Entry {
    std::string host;
    uint16_t port = 0;
    std::optional<net::PublicKey> vouched;  // the key a cluster node gave for it
  };

  // "HOST[:PORT],HOST[:PORT],..." (IPv6 in brackets when a port follows); a missing port is
  // `default_port`. Refuses an empty list, an empty entry or a bad port.
  static core::Result<HostList> parse(std::string_view text, uint16_t default_port);

  const Entry& current() const { return entries_[current_]; }
  size_t size() const { return entries_.size(); }
  // The next entry in turn (the same one when there is only one).
  void advance();
  // A node's advertised address and key: made the current entry (added if new).
  void redirect_to(const net::NodeAddress& node);
  // Nodes of the cluster: added (or their keys updated); the current entry stays.
  void learn(const net::ClusterNodes& nodes);

 private:
  // The entry for `node` (added if new, its key set when it has one).
  size_t take(const net::NodeAddress& node);
  std::vector<Entry> entries_;
  size_t current_ = 0;
};

// HOST[:PORT] (IPv6 in brackets when a port follows) into host and port.
core::Result<HostList::Entry> parse_host_port(std::string_view text, uint16_t default_port);

}  // namespace ttycall::client
