#pragma once
// The call: who is in it, in join order. Join and leave are rare, so a mutex guards the
// member list; the compositor takes a snapshot each tick.
#include <array>
#include <atomic>
#include <cstdint>
#include <memory>
#include <mutex>
#include <span>

#include "net/protocol.h"

namespace ttycall::server {

class Session;
struct ServerContext;

class Room {
 public:
  explicit Room(ServerContext& context);

  // Admits a session that said hello. Returns its participant id, or 0 if the room is full.
  // Tells everyone (the newcomer included) the new participant list.
  uint32_t join(const std::shared_ptr<Session>& session);
  // Removes a session (no-op if it never joined) and tells the others.
  void leave(const Session& session);

  // Copies the members, in join order, into `out`; returns how many.
  int snapshot(std::span<std::shared_ptr<Session>> out) const;
  // Changes whenever membership changes.
  uint64_t epoch() const { return epoch_.load(std::memory_order_acquire); }
  int size() const;

  // Sends everyone the participant list again (someone's speaking or muted state changed).
  void refresh_participants();

  // Closes every member's connection (server shutdown).
  void close_all();
  // Drops every member without telling anyone (after the io threads have stopped).
  void clear();

 private:
  void broadcast_participants_locked();
  void send_to_all_locked(std::span<const uint8_t> packet, const Session* except);

  ServerContext& context_;
  mutable std::mutex mutex_;
  std::array<std::shared_ptr<Session>, net::kMaxParticipants> members_;
  int count_ = 0;
  uint32_t next_id_ = 1;
  uint64_t used_audio_slots_ = 0;  // bit i: mixer slot i belongs to a member
  std::atomic<uint64_t> epoch_{0};
};

}  // namespace ttycall::server
