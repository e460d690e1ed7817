#include "server/room.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <bit>

#include "server/server_context.h"
#include "server/session.h"

namespace ttycall::server {

Room::Room(ServerContext& context) : context_(context) {}

uint32_t Room::join(const std::shared_ptr<Session>& session) {
  std::lock_guard lock(mutex_);
  const int limit = std::min(context_.options.max_clients, net::kMaxParticipants);
  if (count_ >= limit) return 0;
  const uint32_t id = next_id_++;
  const int slot = std::countr_one(used_audio_slots_);  // lowest free mixer slot
  used_audio_slots_ |= uint64_t(1) << slot;
  session->set_audio_slot(slot);
  session->admit(id);  // queues Welcome before anything else reaches the newcomer
  members_[count_++] = session;
  // Decoded camera frames in flight per participant: the latest, the one being decoded,
  // and the previous one a render may still hold. Reserved now, so a steady call never
  // grows the pool.
  context_.decoded_pool.reserve(size_t(count_) * 3 + 2);
  epoch_.fetch_add(1, std::memory_order_acq_rel);
  int now = context_.counters.clients_now.fetch_add(1) + 1;
  int peak = context_.counters.clients_peak.load();
  while (now > peak && !context_.counters.clients_peak.compare_exchange_weak(peak, now)) {
  }

  std::array<uint8_t, 64> packet;
  net::Joined joined{id, session->name()};
  if (size_t n = net::build_packet(net::MsgType::kJoined, joined, packet)) {
    send_to_all_locked({packet.data(), n}, session.get());
  }
  broadcast_participants_locked();
  return id;
}

void Room::leave(const Session& session) {
  std::lock_guard lock(mutex_);
  auto* end = members_.begin() + count_;
  auto* it = std::find_if(members_.begin(), end,
                          [&](const std::shared_ptr<Session>& s) { return s.get() == &session; });
  if (it == end) return;
  if (const int slot = session.audio_slot(); slot >= 0) used_audio_slots_ &= ~(uint64_t(1) << slot);
  std::move(it + 1, end, it);  // keep join order
  members_[--count_].reset();
  epoch_.fetch_add(1, std::memory_order_acq_rel);
  context_.counters.clients_now.fetch_sub(1);

  std::array<uint8_t, 32> packet;
  if (size_t n = net::build_packet(net::MsgType::kLeft, net::Left{session.id()}, packet)) {
    send_to_all_locked({packet.data(), n}, nullptr);
  }
  broadcast_participants_locked();
}

void Room::broadcast_participants_locked() {
  net::Participants list;
  list.count = static_cast<uint16_t>(count_);
  for (int i = 0; i < count_; ++i) {
    list.list[i].id = members_[i]->id();
    list.list[i].name = members_[i]->name();
    const Session& s = *members_[i];
    list.list[i].flags =
        uint8_t((s.video_version() > 0 && !s.video_off() ? net::kHasVideo : 0) |
                (s.speaking() ? net::kSpeaking : 0) | (s.muted() ? net::kMuted : 0));
  }
  std::array<uint8_t, net::kHeaderSize + 2 + net::kMaxParticipants*(6 + net::kMaxNameBytes)> packet;
  if (size_t n = net::build_packet(net::MsgType::kParticipants, list, packet)) {
    send_to_all_locked({packet.data(), n}, nullptr);
  }
}

void Room::send_to_all_locked(std::span<const uint8_t> packet, const Session* except) {
  for (int i = 0; i < count_; ++i) {
    if (members_[i].get() != except) members_[i]->send_control(packet);
  }
}

void Room::refresh_participants() {
  std::lock_guard lock(mutex_);
  broadcast_participants_locked();
}

int Room::snapshot(std::span<std::shared_ptr<Session>> out) const {
  std::lock_guard lock(mutex_);
  const int n = std::min<int>(count_, int(out.size()));
  for (int i = 0; i < n; ++i) out[i] = members_[i];
  return n;
}

int Room::size() const {
  std::lock_guard lock(mutex_);
  return count_;
}

void Room::clear() {
  std::lock_guard lock(mutex_);
  for (int i = 0; i < count_; ++i) members_[i].reset();
  count_ = 0;
}

void Room::close_all() {
  std::array<std::shared_ptr<Session>, net::kMaxParticipants> members;
  const int n = snapshot(members);
  for (int i = 0; i < n; ++i) {
    members[i]->close_with_bye(net::ByeReason::kShutdown, "server shutting down");
  }
}

}  // namespace ttycall::server
