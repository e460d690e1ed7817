#pragma once
// The server's lines in the Memory Report: the pool budget, then one line per room with
// its members, views and the pooled bytes held for it, so an operator sees which call
// holds the memory. Written on the control thread, between ticks, into the report's fixed
// buffer: it snapshots the rooms into storage of its own, sized once.
#include <memory>
#include <vector>

#include "core/memory_report.h"

namespace ttycall::server {

class Room;
class RoomDirectory;
struct ServerContext;

class RoomMemoryLines : public core::ReportSection {
 public:
  RoomMemoryLines(const ServerContext& context, const RoomDirectory& rooms);
  void write(core::FixedWriter& out) const override;

 private:
  const ServerContext& context_;
  const RoomDirectory& rooms_;
  mutable std::vector<std::shared_ptr<Room>> snapshot_;  // reserved to the rooms' capacity
};

}  // namespace ttycall::server
