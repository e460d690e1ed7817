#pragma once
// The call: who is in it, in join order. Join and leave are rare, so a mutex guards the
// member list; the compositor and the mixer take a snapshot each tick.
//
// The participant list goes to everyone on every join and leave, and otherwise at most
// once a tick (publish_changes()), when some member's flags changed since the last one:
// a participant flipping a state many times a tick costs the others one list.
#include <array>
#include <atomic>
#include <cstdint>
#include <memory>
#include <mutex>
#include <span>

#include "net/protocol.h"

namespace ttycall::server {

class Participant;
struct ServerContext;

class Room {
 public:
  explicit Room(ServerContext& context);

  // Admits a participant that said hello: gives it an id and a mixer slot, sends it
  // Welcome before anything else, and tells everyone the new list. Returns the id, or 0
  // if the room is full.
  uint32_t join(const std::shared_ptr<Participant>& participant);
  // Removes a participant (no-op if it never joined) and tells the others.
  void leave(const Participant& participant);

  // Copies the members, in join order, into `out`; returns how many.
  int snapshot(std::span<std::shared_ptr<Participant>> out) const;
  // Changes whenever membership changes.
  uint64_t epoch() const { return epoch_.load(std::memory_order_acquire); }
  int size() const;

  // Sends everyone the participant list if any member's flags changed since it was last
  // sent. Called once a tick.
  void publish_changes();

  // Closes every member's connection (server shutdown).
  void close_all();
  // Drops every member without telling anyone (after the io threads have stopped).
  void clear();

 private:
  uint64_t flags_version_locked() const;
  void broadcast_participants_locked();
  void send_to_all_locked(std::span<const uint8_t> packet, const Participant* except);

  ServerContext& context_;
  mutable std::mutex mutex_;
  std::array<std::shared_ptr<Participant>, net::kMaxParticipants> members_;
  int count_ = 0;
  uint32_t next_id_ = 1;
  uint64_t used_audio_slots_ = 0;   // bit i: mixer slot i belongs to a member
  uint64_t published_version_ = 0;  // flags_version_locked() when the list last went out
  std::atomic<uint64_t> epoch_{0};
};

}  // namespace ttycall::server
