#pragma once
// The participant list one room sends its members (net::Participants).
//
// A room may hold thousands of members, so the list carries the first
// net::kMaxListedParticipants of the room's gallery ranking (recent speakers, cameras, join
// order: gallery.h) and the total: each member's gallery is among them, besides its own pin,
// and a control packet stays within kMaxControlPacket. Everyone gets the same packet.
//
// Each tick the list is built and compared with the one last sent; a change goes to everyone,
// but in a large room not more often than every 1 + members / kMembersPerTick ticks (each
// send is one sealed copy per member). A member that has not had a list yet gets the current
// one at once. Only the compositor's tick uses it; nothing here allocates.
#include <array>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <span>

#include "net/protocol.h"

namespace ttycall::server {

class Participant;

class ParticipantList {
 public:
  // `members` is the tick's snapshot (join order), `ranking` indices into it, best first;
  // `needs_list[i]` is set when member i has not had a list yet and cleared once it has.
  void publish(std::span<const std::shared_ptr<Participant>> members, std::span<const int> ranking,
               std::span<uint8_t> needs_list);

 private:
  static constexpr int kMembersPerTick = 32;
  using Packet =
      std::array<uint8_t, net::kHeaderSize + net::max_payload(net::MsgType::kParticipants)>;

  Packet sent_{};  // the list everyone last got
  size_t sent_size_ = 0;
  Packet built_{};  // this tick's
  int ticks_since_sent_ = 0;
};

}  // namespace ttycall::server
