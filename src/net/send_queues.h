#pragma once
// What a connection has to send, by traffic class, with each class's drop rule; no socket.
//
// - Control (handshake, lists, pings, Bye): a small ring; when full, new packets are
//   refused (a peer that lets 16 control packets pile up is not reading).
// - Audio: a small ring; when full, the oldest packet goes (late audio is useless).
// - Video: one slot; a newer frame replaces a waiting one (a slow peer skips frames, it
//   never queues them). The slot holds a pooled, refcounted packet, so the packet one view
//   shares among its viewers is never copied to queue it.
// The writer takes one packet at a time: control first, then audio, but never more than
// kAudioBeforeVideo audio packets in a row while a video frame waits, so neither media
// class starves the other. Slots are sized from the protocol's per-type limits.
//
// Thread-safe: other threads (the compositor, the mixer, the room) queue while the
// connection's io thread takes.
#include <array>
#include <cstdint>
#include <mutex>
#include <span>

#include "core/buffer_pool.h"
#include "core/fixed_ring.h"
#include "net/protocol.h"

namespace ttycall::net {

// Whether a packet is sealed when the channel is on. Only the key exchange's own answer
// (queued just before the channel is enabled) goes plain.
enum class Sealing : uint8_t { kSealed, kPlain };

class SendQueues {
 public:
  static constexpr size_t kControlSlots = 16;
  static constexpr size_t kAudioSlots = 8;
  static constexpr int kAudioBeforeVideo = 2;

  // False when the packet is larger than any control packet may be, or the ring is full.
  bool push_control(std::span<const uint8_t> packet, Sealing sealing);
  // False when the packet is too large, or the connection is closing.
  bool push_audio(std::span<const uint8_t> packet);
  // Offers a video packet; returns true when it replaced one that was still waiting.
  // Ignored while closing.
  bool offer_video(const core::PooledBuffer& packet);
  bool video_waiting() const;

  // From now on only control packets go out; the waiting frame and audio are dropped.
  void close_after_flush();
  bool closing() const;
  // Drops everything and starts afresh (the connection is gone, or a new one begins).
  void clear();

  enum class Kind : uint8_t { kNone, kControl, kAudio, kVideo };
  struct Taken {
    Kind kind = Kind::kNone;
    size_t size = 0;  // control and audio: bytes copied to the caller's buffer
    Sealing sealing = Sealing::kSealed;
    core::PooledBuffer video;  // kVideo: the packet itself
  };
  // Takes the next packet by the schedule above. Control and audio packets are copied into
  // `out` (kMaxControlPacket bytes at least, to leave room for the seal). With
  // `video_allowed` false the waiting frame stays in its slot (where a newer one may still
  // replace it) and audio goes regardless of the audio-before-video rule.
  Taken take(std::span<uint8_t> out, bool video_allowed = true);

 private:
  struct ControlSlot {
    uint16_t size = 0;
    Sealing sealing = Sealing::kSealed;
    std::array<uint8_t, kMaxControlPacket - kSealOverhead> bytes;
  };
  struct AudioSlot {
    uint16_t size = 0;
    std::array<uint8_t, kMaxAudioPacket - kSealOverhead> bytes;
  };

  mutable std::mutex mutex_;
  core::FixedRing<ControlSlot, kControlSlots> control_;
  core::FixedRing<AudioSlot, kAudioSlots> audio_;
  core::PooledBuffer video_;
  int audio_since_video_ = 0;
  bool closing_ = false;
};

}  // namespace ttycall::net
