#pragma once
// The rooms of one server, by name. A room is made by its first join and goes with its
// last leave; the server-wide member limit (--max-clients) is kept here, each room's own
// limit by the room.
//
// Join and leave are rare and take the directory's mutex (then the room's). The ticks take
// a snapshot of the live rooms into an array of their own: there are never more rooms
// than members, so capacity() = --max-clients bounds it and a tick does not allocate. A
// room that goes while a tick holds it dies when that tick lets go.
#include <cstdint>
#include <memory>
#include <mutex>
#include <span>
#include <string_view>
#include <vector>

#include "net/protocol.h"
#include "server/room.h"

namespace ttycall::server {

class Participant;
class RenderWorkers;
struct ServerContext;

class RoomDirectory {
 public:
  RoomDirectory(ServerContext& context, RenderWorkers& workers);
  RoomDirectory(const RoomDirectory&) = delete;
  RoomDirectory& operator=(const RoomDirectory&) = delete;

  struct Admission {
    std::shared_ptr<Room> room;                        // set: joined (the participant has its id)
    net::ByeReason refusal = net::ByeReason::kNormal;  // else kServerFull or kRoomFull
  };
  // Admits `participant` to the room `name` (made if it does not exist yet), of at most
  // `max_members`.
  Admission join(const net::Name& name, int max_members,
                 const std::shared_ptr<Participant>& participant);
  // Takes the participant out of its room (no-op if it is not in it); the room goes when
  // it is empty.
  void leave(Room& room, const Participant& participant);

  // Copies the live rooms into `out`; returns how many.
  int snapshot(std::span<std::shared_ptr<Room>> out) const;
  size_t capacity() const { return rooms_.capacity(); }
  // Fills `list` with up to kMaxListedRooms rooms (name and members), largest first.
  void list(net::RoomList& list) const;

  // Members of the room `name` here (0: not hosted here). For the cluster's leases.
  int members_of(std::string_view name) const;
  int room_count() const;

  // Closes every member's connection with a Bye (server shutdown; draining a cluster node).
  void close_all(net::ByeReason reason = net::ByeReason::kShutdown,
                 std::string_view text = "server shutting down");
  // Drops every room and member without telling anyone (after the io threads stopped).
  void clear();

 private:
  ServerContext& context_;
  RenderWorkers& workers_;
  mutable std::mutex mutex_;
  std::vector<std::shared_ptr<Room>> rooms_;  // reserved to --max-clients: never reallocates
  int members_ = 0;                           // in all rooms
};

}  // namespace ttycall::server
