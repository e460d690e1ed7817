#include "server/room.h"

#include <algorithm>

#include "server/participant.h"
#include "server/server_context.h"
#include "server/server_options.h"
#include "server/unique_name.h"

namespace ttycall::server {

Room::Room(ServerContext& context, RenderWorkers& workers, const net::Name& name, int max_members)
    : context_(context),
      name_(name),
      max_members_(std::clamp(max_members, 1, kMaxRoomSize)),
      members_(size_t(max_members_)),
      audio_slot_used_(size_t(max_members_)),
      chat_history_(context.options.chat_history),
      compositor_(context, *this, workers, max_members_),
      audio_(context, *this, max_members_) {}

uint32_t Room::join(const std::shared_ptr<Participant>& participant) {
  std::lock_guard lock(mutex_);
  if (count_ >= max_members_) return 0;
  const uint32_t id = next_id_++;
  // The lowest free mixer slot (a room never has more members than slots).
  const int slot = int(std::find(audio_slot_used_.begin(), audio_slot_used_.end(), 0) -
                       audio_slot_used_.begin());
  audio_slot_used_[size_t(slot)] = 1;
  participant->set_audio_slot(slot);
  participant->set_id(id);
  // Unique in the room, before anyone is told of it (the list shows everyone the result).
  participant->set_name(unique_name(participant->name(), size_t(count_), [&](std::string_view n) {
    return std::any_of(
        members_.begin(), members_.begin() + count_,
        [&](const std::shared_ptr<Participant>& p) { return p->name().view() == n; });
  }));
  std::array<uint8_t, 32> welcome_packet;
  const net::Welcome welcome{id, static_cast<uint16_t>(context_.options.fps)};
  if (size_t n = net::build_packet(net::MsgType::kWelcome, welcome, welcome_packet)) {
    participant->outbox().send_control({welcome_packet.data(), n});
  }
  members_[count_++] = participant;
  epoch_.fetch_add(1, std::memory_order_acq_rel);

  std::array<uint8_t, 64> packet;
  net::Joined joined{id, participant->name()};
  if (size_t n = net::build_packet(net::MsgType::kJoined, joined, packet)) {
    send_to_all_locked({packet.data(), n}, participant.get());
  }
  return id;
}

void Room::leave(const Participant& participant) {
  std::lock_guard lock(mutex_);
  const auto end = members_.begin() + count_;
  const auto it = std::find_if(members_.begin(), end, [&](const std::shared_ptr<Participant>& p) {
    return p.get() == &participant;
  });
  if (it == end) return;
  if (const int slot = participant.audio_slot(); slot >= 0) {
    audio_slot_used_[size_t(slot)] = 0;
  }
  std::move(it + 1, end, it);  // keep join order
  members_[--count_].reset();
  epoch_.fetch_add(1, std::memory_order_acq_rel);

  std::array<uint8_t, 32> packet;
  if (size_t n = net::build_packet(net::MsgType::kLeft, net::Left{participant.id()}, packet)) {
    send_to_all_locked({packet.data(), n}, nullptr);
  }
}

void Room::send_to_all_locked(std::span<const uint8_t> packet, const Participant* except) {
  for (int i = 0; i < count_; ++i) {
    if (members_[i].get() != except) members_[i]->outbox().send_control(packet);
  }
}

void Room::chat(const Participant& sender, std::string_view text, uint64_t time_us) {
  net::ChatMessage message;
  message.sender_id = sender.id();
  message.sender = sender.name();
  message.text_len = uint16_t(std::min(text.size(), message.text.size()));
  std::copy_n(text.begin(), message.text_len, message.text.begin());
  std::array<uint8_t, net::kHeaderSize + net::max_payload(net::MsgType::kChatMessage)> packet;
  std::lock_guard lock(mutex_);
  message.time_us = chat_history_.stamp(time_us);  // under the lock: times rise in send order
  const size_t n = net::build_packet(net::MsgType::kChatMessage, message, packet);
  if (n == 0) return;
  chat_history_.add(message);
  for (int i = 0; i < count_; ++i) {
    if (members_[i]->chat_live()) members_[i]->outbox().send_control({packet.data(), n});
  }
}

bool Room::send_chat_history(Participant& member, uint64_t& next_seq, uint64_t joined_seq) {
  std::array<uint8_t, net::kHeaderSize + net::max_payload(net::MsgType::kChatMessage)> packet;
  std::lock_guard lock(mutex_);
  next_seq = std::max(next_seq, chat_history_.oldest_seq());  // older ones were pushed out
  for (; next_seq < chat_history_.next_seq(); ++next_seq) {
    net::ChatMessage message = *chat_history_.find(next_seq);
    if (next_seq < joined_seq) message.flags |= net::kChatHistory;
    const size_t n = net::build_packet(net::MsgType::kChatMessage, message, packet);
    if (n > 0 && !member.outbox().send_control({packet.data(), n})) return false;  // queue full
  }
  member.set_chat_live();
  return true;
}

uint64_t Room::chat_next_seq() const {
  std::lock_guard lock(mutex_);
  return chat_history_.next_seq();
}

int Room::snapshot(std::span<std::shared_ptr<Participant>> out) const {
  std::lock_guard lock(mutex_);
  const int n = std::min<int>(count_, int(out.size()));
  for (int i = 0; i < n; ++i) out[i] = members_[i];
  return n;
}

size_t Room::reserved_bytes() const {
  return compositor_.reserved_frame_bytes() +
         context_.decoded_demand.bytes_for(compositor_.cameras_wanted());
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

void Room::close_all(net::ByeReason reason, std::string_view text) {
  // A copy (shutdown is no steady state), so no close runs under the lock.
  std::vector<std::shared_ptr<Participant>> members(static_cast<size_t>(max_members_));
  const int n = snapshot(members);
  for (int i = 0; i < n; ++i) {
    members[size_t(i)]->outbox().close_with_bye(reason, text);
  }
}

}  // namespace ttycall::server
