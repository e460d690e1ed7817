#pragma once
// Where a new room goes: the least-loaded live node that is not draining. Load is first the
// rooms a node hosts (counted from the room directory itself, so placements made in the
// same second by several entry nodes are all seen), then its clients, then its CPU; ties go
// to the lower id, so every node makes the same choice from the same facts.
#include <span>
#include <string>
#include <vector>

#include "server/cluster/records.h"

namespace ttycall::server::cluster {

struct NodeLoad {
  const NodeRecord* node = nullptr;
  int rooms = 0;  // claims naming it in the room directory
};

// The chosen node's index in `nodes`, or -1 when none can take a room.
int least_loaded(std::span<const NodeLoad> nodes);

}  // namespace ttycall::server::cluster
