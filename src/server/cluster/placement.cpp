#include "server/cluster/placement.h"

#include <tuple>

namespace ttycall::server::cluster {

int least_loaded(std::span<const NodeLoad> nodes) {
  int best = -1;
  auto rank = [&](const NodeLoad& n) {
    return std::make_tuple(n.rooms, n.node->clients, int(n.node->cpu * 100), n.node->id);
  };
  for (size_t i = 0; i < nodes.size(); ++i) {
    if (nodes[i].node == nullptr || nodes[i].node->draining) continue;
    if (best < 0 || rank(nodes[i]) < rank(nodes[size_t(best)])) best = int(i);
  }
  return best;
}

}  // namespace ttycall::server::cluster
