#pragma once
// One room's voice: every 20 ms, each participant hears everyone else in the room.
//
// A tick takes one decoded frame from every participant who sent one (Participant::pop_audio),
// mixes the loudest few of them with the AudioMixer (the common sum once; a listener who is
// not mixed gets the shared mix, a mixed talker gets the sum minus themselves), encodes each
// distinct mix once
// with Opus, and queues one AudioDown packet per listener. It also publishes who is
// speaking, for the tile labels and the participant list.
//
// Everything is sized at construction (a mixer slot per member the room may hold, an encoder
// per mixer seat); a tick does not allocate. Only the tick touches
// the loop's state (one timer, one thread).
#include <array>
#include <cstdint>
#include <memory>
#include <vector>

#include "media/audio/mixer.h"
#include "media/audio/opus_codec.h"
#include "net/protocol.h"
#include "server/participant.h"

namespace ttycall::server {

class Room;
struct ServerContext;

class AudioLoop {
 public:
  AudioLoop(ServerContext& context, Room& room, int max_members);

  void tick();
  uint64_t ticks() const { return seq_; }

 private:
  // Builds the AudioDown packet of one mix into `out`; returns its size (0 if none).
  size_t build_packet(int mix_id, std::span<const uint8_t> opus, std::span<uint8_t> out);

  ServerContext& context_;
  Room& room_;
  media::audio::AudioMixer mixer_;
  media::audio::OpusEncoder shared_encoder_;
  // One per mixer seat: a mixed talker's own stream.
  std::vector<std::unique_ptr<media::audio::OpusEncoder>> own_encoders_;
  std::vector<std::shared_ptr<Participant>> members_;
  std::vector<int> slots_;
  std::array<uint8_t, media::audio::kMaxOpusPacketBytes> shared_opus_{};
  size_t shared_opus_size_ = 0;
  std::array<uint8_t, net::kHeaderSize + 1500> shared_packet_{};
  size_t shared_packet_size_ = 0;
  std::array<uint8_t, media::audio::kMaxOpusPacketBytes> own_opus_{};
  std::array<uint8_t, net::kHeaderSize + 1500> own_packet_{};
  net::AudioDownHeader header_{};
  uint32_t seq_ = 0;
};

}  // namespace ttycall::server
