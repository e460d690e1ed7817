#include "server/participant_list.h"

#include <algorithm>
#include <cstring>

#include "server/participant.h"

namespace ttycall::server {

void ParticipantList::publish(std::span<const std::shared_ptr<Participant>> members,
                              std::span<const int> ranking, std::span<uint8_t> needs_list) {
  net::Participants list;
  list.total = uint16_t(std::min<size_t>(members.size(), UINT16_MAX));
  list.count = uint16_t(std::min<size_t>(ranking.size(), net::kMaxListedParticipants));
  for (int k = 0; k < list.count; ++k) {
    const Participant& p = *members[size_t(ranking[size_t(k)])];
    list.list[size_t(k)] = {p.id(), p.list_flags(), p.name()};
  }
  const size_t size = net::build_packet(net::MsgType::kParticipants, list, built_);
  if (size == 0) return;
  ++ticks_since_sent_;
  const bool changed = size != sent_size_ || std::memcmp(built_.data(), sent_.data(), size) != 0;
  const int interval = 1 + int(members.size()) / kMembersPerTick;
  const bool to_all = changed && ticks_since_sent_ >= interval;
  if (to_all) {
    std::copy_n(built_.begin(), size, sent_.begin());
    sent_size_ = size;
    ticks_since_sent_ = 0;
  }
  for (size_t i = 0; i < members.size(); ++i) {
    if (!to_all && !needs_list[i]) continue;
    if (members[i]->outbox().send_control({built_.data(), size})) needs_list[i] = 0;
  }
}

}  // namespace ttycall::server
