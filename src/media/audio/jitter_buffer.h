#pragma once
// JitterBuffer: an adaptive playout buffer of Opus packets (one 20 ms frame each), keyed by
// sequence number. The receiver push()es packets as they arrive and pull()s once per 20 ms
// of playback; each pull says what to play: decode a packet, recover a lost one from the
// next packet's FEC, conceal (PLC), or nothing (silence: not started, or idle).
//
// Measuring: for every packet the buffer records its transit time (arrival minus
// seq x 20 ms, on the receiver's clock). The spread of transit times over the last 2-4 s of
// packets, rounded up to frames, plus min_delay_frames is the target delay, clamped to
// [min_delay_frames, max_delay_frames]. The playout delay (delay_ms) is how long after its
// earliest possible arrival (the smallest transit seen) the frame being played is played.
//
// Growing: when the frame due has not arrived and nothing newer has either, the pull
// conceals *without* advancing (an underrun), so the stream continues one frame later: the
// delay grows exactly as much as late packets need. Packets are never waited for: every
// pull returns at once.
// Shrinking: the oldest packet is dropped (a 20 ms skip) when more than
// target + shrink_margin frames are buffered (at most one per drop_interval pulls; all the
// excess at once beyond max + margin), or when the buffer never fell to the target during
// a whole shrink_window of pulls.
// Losing: when the frame due is missing but later ones are there, it is lost: recovered
// from the next packet's FEC if that is present, concealed otherwise. A packet arriving
// after its turn is late and dropped.
// Pausing: after max_underrun_frames consecutive underruns the buffer goes idle (pulls
// return kNone), forgets its transit measurements (a pause is not jitter) and prebuffers up
// to the target again when packets return. A sequence jump of 64 or more resynchronises.
//
// All storage (64 slots of up to kMaxPacketBytes) is allocated in the constructor; push and
// pull never allocate. Not thread-safe.
#include <array>
#include <cstdint>
#include <memory>
#include <span>

#include "media/audio/audio_format.h"

namespace ttycall::media::audio {

struct JitterBufferParams {
  int min_delay_frames = 1;
  int max_delay_frames = 8;
  int initial_delay_frames = 2;  // before any jitter has been measured
  int shrink_margin_frames = 2;  // tolerated excess over the target before dropping
  int drop_interval = 5;         // pulls between two drops for excess over the margin
  int shrink_window = 50;        // pulls (1 s) of persistent excess before one drop
  int window_packets = 100;      // one measurement window (2 s of packets); two are kept
  int max_underrun_frames = 5;   // consecutive underruns before going idle
};

struct JitterStats {
  uint64_t received = 0;       // packets stored
  uint64_t lost = 0;           // turns whose packet was missing while later ones were there
  uint64_t concealed = 0;      // frames played by PLC or FEC instead of their own packet
  uint64_t fec_recovered = 0;  // of those, handed the next packet for FEC recovery
  uint64_t underruns = 0;      // pulls that found nothing to play (concealed, no advance)
  uint64_t late = 0;           // packets that arrived after their turn (dropped)
  uint64_t dropped = 0;        // packets dropped to shrink the delay or on a resync
  uint64_t duplicates = 0;
  uint64_t resyncs = 0;
  uint64_t invalid = 0;  // empty or larger than kMaxPacketBytes
};

class JitterBuffer {
 public:
  static constexpr int kSlots = 64;

  explicit JitterBuffer(const JitterBufferParams& params = {});

  enum class PushResult : uint8_t { kStored, kLate, kDuplicate, kInvalid, kResync };
  // `arrival_us`: the receiver's monotonic clock when the packet arrived. The bytes are
  // copied; `packet` need not outlive the call.
  PushResult push(uint32_t seq, uint64_t capture_us, std::span<const uint8_t> packet,
                  uint64_t arrival_us);

  enum class Action : uint8_t {
    kNone,       // nothing to play (not started, prebuffering, idle): play silence
    kDecode,     // OpusDecoder::decode(`packet`)
    kDecodeFec,  // frame `seq` was lost: OpusDecoder::decode_fec(`packet` = the next one)
    kConceal,    // OpusDecoder::conceal()
  };
  struct Pull {
    Action action = Action::kNone;
    std::span<const uint8_t> packet;  // valid until the next push() or pull()
    uint32_t seq = 0;                 // the frame this pull plays
    uint64_t capture_us = 0;          // of the packet decoded (0 otherwise)
  };
  // Call once per 20 ms of playback; `now_us` on the same clock as push()'s arrival_us.
  Pull pull(uint64_t now_us);
  // The same without a clock: delay_ms() is then the buffered frames x 20 ms, a coarser
  // measure (it ignores where in its 20 ms the newest packet arrived).
  Pull pull();

  void reset();

  const JitterStats& stats() const { return stats_; }
  // Playout delay at the last pull (see pull()).
  int delay_ms() const { return delay_ms_; }
  // Frames from the next to play to the newest received.
  int buffered_frames() const;
  int target_frames() const { return target_; }
  int target_delay_ms() const { return target_ * kFrameMs; }
  int jitter_ms() const;  // the measured transit-time spread
  bool playing() const { return playing_; }

 private:
  struct Slot {
    uint32_t seq = 0;
    bool used = false;
    uint16_t size = 0;
    uint64_t capture_us = 0;
    std::array<uint8_t, kMaxPacketBytes> bytes{};
  };
  struct Window {  // transit-time extremes over window_packets packets
    int64_t min_transit = INT64_MAX;
    int64_t max_transit = INT64_MIN;
  };

  Slot& slot(uint32_t seq) { return slots_[seq % kSlots]; }
  bool has(uint32_t seq) const {
    const Slot& s = slots_[seq % kSlots];
    return s.used && s.seq == seq;
  }
  void measure(int64_t ext_seq, uint64_t arrival_us);
  void forget_measurements();
  void resync(uint32_t seq);
  void drop(uint32_t seq);  // frees seq's slot, counting a present packet as dropped
  bool start_playing();     // prebuffer check; positions next_seq_ on the first packet
  void shrink();
  void update_delay(uint32_t seq, uint64_t now_us);
  Pull next(bool timed, uint64_t now_us);

  JitterBufferParams params_;
  std::unique_ptr<Slot[]> slots_;
  JitterStats stats_;

  bool started_ = false;    // a packet was received since construction/reset/resync
  bool playing_ = false;    // prebuffering done; pulls advance through the sequence
  bool may_rewind_ = true;  // nothing played yet: an earlier packet may still become first
  uint32_t next_seq_ = 0;
  uint32_t highest_seq_ = 0;
  int64_t highest_ext_ = 0;  // highest_seq_ unwrapped
  int target_;
  int delay_ms_ = 0;
  int underrun_run_ = 0;
  int pulls_since_drop_ = 0;
  int shrink_pulls_ = 0;             // pulls in the current shrink window
  int shrink_min_depth_ = 0;         // smallest depth seen in it
  std::array<Window, 2> windows_{};  // [0] current, [1] previous
  int window_count_ = 0;
};

}  // namespace ttycall::media::audio
