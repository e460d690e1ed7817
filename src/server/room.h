#pragma once
// One call, a room with a name: who is in it, in join order, and the compositor and mixer
// that serve only them (what a member sees, hears and is told never involves another
// room). Join and leave are rare, so a mutex guards the member list; the compositor and
// the mixer take a snapshot each tick. Rooms come and go with their members
// (room_directory.h).
//
// Member storage is sized for the room's maximum when it is made; join and leave never
// allocate. The participant list is the compositor's (participant_list.h): at most once a
// tick, when what it shows changed.
#include <array>
#include <atomic>
#include <cstdint>
#include <memory>
#include <mutex>
#include <span>
#include <vector>

#include "net/protocol.h"
#include "server/audio_loop.h"
#include "server/chat_history.h"
#include "server/compositor.h"

namespace ttycall::server {

class Participant;
class RenderWorkers;
struct ServerContext;

class Room {
 public:
  // A room of at most `max_members` (1..kMaxRoomSize).
  Room(ServerContext& context, RenderWorkers& workers, const net::Name& name, int max_members);
  Room(const Room&) = delete;
  Room& operator=(const Room&) = delete;

  const net::Name& name() const { return name_; }

  // Admits a participant that said hello: gives it an id and a mixer slot, sends it
  // Welcome before anything else, and tells the others it joined (the list follows on the
  // next tick). Returns the id, or 0 if the room is full.
  uint32_t join(const std::shared_ptr<Participant>& participant);
  // Removes a participant (no-op if it never joined) and tells the others.
  void leave(const Participant& participant);

  // Copies the members, in join order, into `out`; returns how many.
  int snapshot(std::span<std::shared_ptr<Participant>> out) const;
  // Changes whenever membership changes.
  uint64_t epoch() const { return epoch_.load(std::memory_order_acquire); }
  int size() const;

  int max_members() const { return max_members_; }

  // The video tick (the control thread): the pictures, then the list if it changed.
  void tick_video() { compositor_.tick(); }
  // For the Memory Report, on the control thread between ticks.
  size_t view_count() const { return compositor_.view_count(); }
  ViewSize largest_view() const { return compositor_.largest_view(); }
  // The pooled memory held for this room: its views' frame buffers and the decoded camera
  // frames of the members its views show.
  size_t reserved_bytes() const;
  // The 20 ms voice tick (the audio thread).
  void tick_audio() { audio_.tick(); }

  // Chat. Relays `text` (already checked: core/safe_text.h) from `sender` to every member
  // whose history has been sent, the sender included, in one order for all, and keeps it
  // in the history. Its time is `time_us`, or just after the last message's when that is
  // not earlier (ChatHistory::stamp): times rise strictly within the room.
  void chat(const Participant& sender, std::string_view text, uint64_t time_us);
  // Sends `member` the history from `next_seq` on (marked as history below `joined_seq`),
  // as far as its queue takes it; advances `next_seq`. True when it has caught up: the
  // member then receives messages live.
  bool send_chat_history(Participant& member, uint64_t& next_seq, uint64_t joined_seq);
  uint64_t chat_next_seq() const;

  // Closes every member's connection (server shutdown).
  void close_all(net::ByeReason reason = net::ByeReason::kShutdown,
                 std::string_view text = "server shutting down");
  // Drops every member without telling anyone (after the io threads have stopped).
  void clear();

 private:
  void send_to_all_locked(std::span<const uint8_t> packet, const Participant* except);

  ServerContext& context_;
  const net::Name name_;
  const int max_members_;
  mutable std::mutex mutex_;
  std::vector<std::shared_ptr<Participant>> members_;  // max_members_ of them; count_ used
  int count_ = 0;
  uint32_t next_id_ = 1;
  std::vector<uint8_t> audio_slot_used_;  // one per mixer slot
  std::atomic<uint64_t> epoch_{0};
  ChatHistory chat_history_;  // guarded by mutex_
  // Last: they read the members above from their first tick on.
  Compositor compositor_;
  AudioLoop audio_;
};

}  // namespace ttycall::server
