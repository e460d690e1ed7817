#include "server/room_directory.h"

#include <algorithm>

#include "server/participant.h"
#include "server/server_context.h"

namespace ttycall::server {

RoomDirectory::RoomDirectory(ServerContext& context, RenderWorkers& workers)
    : context_(context), workers_(workers) {
  rooms_.reserve(size_t(std::max(1, context.options.max_clients)));
}

RoomDirectory::Admission RoomDirectory::join(const net::Name& name, int max_members,
                                             const std::shared_ptr<Participant>& participant) {
  std::lock_guard lock(mutex_);
  if (members_ >= context_.options.max_clients) return {nullptr, net::ByeReason::kServerFull};
  auto it = std::find_if(rooms_.begin(), rooms_.end(), [&](const std::shared_ptr<Room>& r) {
    return r->name().view() == name.view();
  });
  std::shared_ptr<Room> room;
  if (it != rooms_.end()) {
    room = *it;
  } else {
    room = std::make_shared<Room>(context_, workers_, name, max_members);
  }
  if (room->join(participant) == 0) return {nullptr, net::ByeReason::kRoomFull};
  if (it == rooms_.end()) rooms_.push_back(room);  // members_ < max_clients: within capacity
  ++members_;
  ServerCounters& c = context_.counters;
  const int now = c.clients_now.fetch_add(1) + 1;
  int peak = c.clients_peak.load();
  while (now > peak && !c.clients_peak.compare_exchange_weak(peak, now)) {
  }
  return {std::move(room), net::ByeReason::kNormal};
}

void RoomDirectory::leave(Room& room, const Participant& participant) {
  std::shared_ptr<Room> last_ref;  // a room that goes dies after the lock is released
  std::lock_guard lock(mutex_);
  const int before = room.size();
  room.leave(participant);
  if (room.size() == before) return;
  --members_;
  context_.counters.clients_now.fetch_sub(1);
  if (room.size() > 0) return;
  auto it = std::find_if(rooms_.begin(), rooms_.end(),
                         [&](const std::shared_ptr<Room>& r) { return r.get() == &room; });
  if (it == rooms_.end()) return;
  last_ref = std::move(*it);
  std::swap(*it, rooms_.back());
  rooms_.pop_back();
}

int RoomDirectory::snapshot(std::span<std::shared_ptr<Room>> out) const {
  std::lock_guard lock(mutex_);
  const int n = int(std::min(rooms_.size(), out.size()));
  std::copy_n(rooms_.begin(), n, out.begin());
  return n;
}

void RoomDirectory::list(net::RoomList& list) const {
  std::lock_guard lock(mutex_);
  std::array<std::pair<int, const Room*>, net::kMaxListedRooms> top{};
  size_t count = 0;
  for (const std::shared_ptr<Room>& room : rooms_) {
    const std::pair<int, const Room*> entry{room->size(), room.get()};
    // Keep the largest kMaxListedRooms, largest first (ties by name).
    auto before = [](const auto& a, const auto& b) {
      return a.first != b.first ? a.first > b.first
                                : a.second->name().view() < b.second->name().view();
    };
    if (count < top.size()) {
      top[count++] = entry;
    } else if (before(entry, top[count - 1])) {
      top[count - 1] = entry;
    } else {
      continue;
    }
    std::sort(top.begin(), top.begin() + count, before);
  }
  list.total = uint16_t(std::min<size_t>(rooms_.size(), UINT16_MAX));
  list.count = uint16_t(count);
  for (size_t i = 0; i < count; ++i) {
    list.rooms[i] = {uint16_t(top[i].first), top[i].second->name()};
  }
}

int RoomDirectory::members_of(std::string_view name) const {
  std::lock_guard lock(mutex_);
  for (const std::shared_ptr<Room>& room : rooms_) {
    if (room->name().view() == name) return room->size();
  }
  return 0;
}

int RoomDirectory::room_count() const {
  std::lock_guard lock(mutex_);
  return int(rooms_.size());
}

void RoomDirectory::close_all(net::ByeReason reason, std::string_view text) {
  std::vector<std::shared_ptr<Room>> rooms;
  {
    std::lock_guard lock(mutex_);
    rooms = rooms_;
  }
  for (const std::shared_ptr<Room>& room : rooms) room->close_all(reason, text);
}

void RoomDirectory::clear() {
  std::vector<std::shared_ptr<Room>> rooms;
  {
    std::lock_guard lock(mutex_);
    rooms.swap(rooms_);
    members_ = 0;
  }
  // The members hold their rooms: drop them first, then the rooms go with `rooms`.
  for (const std::shared_ptr<Room>& room : rooms) room->clear();
}

}  // namespace ttycall::server
