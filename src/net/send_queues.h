#pragma once
// What a connection has to send, by traffic class, with each class's drop rule; no socket.
//
// - Control (handshake, lists, pings, Bye): a small ring; when full, new packets are
//   refused (a peer that lets 16 control packets pile up is not reading).
// - Audio: a small ring; when full, the oldest packet goes (late audio is useless).
// - Video: one slot; a newer frame replaces a waiting one (a slow peer skips frames, it
//   never queues them). The slot holds a pooled, refcounted packet, so the packet one view
//   shares among its viewers is never copied to queue it.
// The writer takes one packet at a time, by a deficit round robin over the three classes
// (control, audio, video, in that order): at its turn a class that has something waiting
// gains its quantum of bytes and sends while its next packet fits what it has gained; a
// class with nothing waiting forfeits what it had. Each packet costs its size plus
// kPacketCharge (for the write). So when all three have something waiting, each gets its
// share of the bytes (control 4 KiB, audio 4 KiB, video 64 KiB a round) and no class can
// starve another, however fast a peer makes the server queue control packets; a class
// alone on the line sends at once. Slots are sized from the protocol's per-type limits.
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
  // What a packet costs the schedule beyond its bytes, so a class cannot take an unbounded
  // number of tiny packets in one turn.
  static constexpr size_t kPacketCharge = 64;
  static constexpr size_t kControlQuantum = 4096;
  static constexpr size_t kAudioQuantum = 4096;
  static constexpr size_t kVideoQuantum = 64 * 1024;

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
  // `video_allowed` false (the socket has no room for a frame yet) the waiting frame stays
  // in its slot, where a newer one may still replace it; when the frame's turn comes it
  // keeps the turn: audio still goes meanwhile (small, paced by the mixer, and useless
  // late) but control waits, so control packets cannot keep the socket too full for video.
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

  static constexpr size_t kClasses = 3;  // Kind - 1: control, audio, video
  // The cost of the class's next packet (its bytes plus kPacketCharge); 0 if none waits.
  size_t head_cost(size_t traffic_class) const;
  Taken pop(size_t traffic_class, std::span<uint8_t> out);
  Taken pop_audio(std::span<uint8_t> out);
  void next_turn();

  mutable std::mutex mutex_;
  core::FixedRing<ControlSlot, kControlSlots> control_;
  core::FixedRing<AudioSlot, kAudioSlots> audio_;
  core::PooledBuffer video_;
  // The round robin: whose turn it is, whether it has had its quantum for this turn, and
  // what each class has gained and not yet spent.
  size_t turn_ = 0;
  bool turn_credited_ = false;
  std::array<size_t, kClasses> deficit_{};
  bool closing_ = false;
};

}  // namespace ttycall::net
