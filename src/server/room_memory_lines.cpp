#include "server/room_memory_lines.h"

#include "core/fixed_writer.h"
#include "server/room_directory.h"
#include "server/server_context.h"

namespace ttycall::server {

RoomMemoryLines::RoomMemoryLines(const ServerContext& context, const RoomDirectory& rooms)
    : context_(context), rooms_(rooms), snapshot_(rooms.capacity()) {}

void RoomMemoryLines::write(core::FixedWriter& out) const {
  char a[32], b[32];
  const core::MemoryBudget& budget = context_.pool_budget;
  out.add("Pool budget: {} of {} reserved, {} refused\n",
          core::human_bytes(double(budget.used()), a),
          core::human_bytes(double(budget.max_bytes()), b), budget.refusals());
  const int n = rooms_.snapshot(snapshot_);
  out.add("Rooms: {}\n", n);
  for (int i = 0; i < n; ++i) {
    const Room& room = *snapshot_[size_t(i)];
    const int members = room.size();
    const size_t views = room.view_count();
    out.add("  room {}: {} member{}, {} view{}, {} reserved\n", room.name().view(), members,
            members == 1 ? "" : "s", views, views == 1 ? "" : "s",
            core::human_bytes(double(room.reserved_bytes()), a));
    snapshot_[size_t(i)].reset();
  }
}

}  // namespace ttycall::server
