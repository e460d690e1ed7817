#pragma once
// One person in the call, as the room, the compositor and the mixer see them: name and id,
// the view they want, their latest camera frame, their decoded voice waiting for the mixer,
// and the flags the participant list shows. The session fills it from the network; the
// others read it, and reach the person only through their Outbox.
//
// Threading: the fields other threads read are atomics, or guarded by a small mutex (the
// latest frame, the audio ring). Name and id are set before the room publishes the
// participant and never change after.
#include <array>
#include <atomic>
#include <cstdint>
#include <mutex>
#include <span>
#include <string_view>

#include "core/buffer_pool.h"
#include "core/fixed_ring.h"
#include "media/audio/audio_format.h"
#include "net/protocol.h"
#include "server/view_key.h"

namespace ttycall::server {

// A decoded camera frame. The pixels are a pooled buffer shared by reference.
struct VideoFrame {
  core::PooledBuffer pixels;  // RGB24, width * 3 stride
  uint16_t width = 0;
  uint16_t height = 0;
  uint64_t capture_us = 0;
};

// Where a participant's packets go: its session's connection. Every method may be called
// from any thread; each queues and returns at once.
class Outbox {
 public:
  virtual bool send_control(std::span<const uint8_t> packet) = 0;
  virtual bool send_audio(std::span<const uint8_t> packet) = 0;
  virtual void offer_video(const core::PooledBuffer& packet) = 0;
  virtual void close_with_bye(net::ByeReason reason, std::string_view text) = 0;

 protected:
  ~Outbox() = default;
};

class Participant {
 public:
  explicit Participant(Outbox& outbox) : outbox_(outbox) {}
  Participant(const Participant&) = delete;
  Participant& operator=(const Participant&) = delete;

  Outbox& outbox() const { return outbox_; }

  // Who: set before the room publishes the participant (name at Hello, id at join).
  uint32_t id() const { return id_; }
  void set_id(uint32_t id) { id_ = id; }
  const net::Name& name() const { return name_; }
  void set_name(const net::Name& name) { name_ = name; }
  bool joined() const { return joined_.load(std::memory_order_acquire); }
  // Chat: true once the room's history has been sent; from then on messages come live.
  // Changed and read under the room's mutex, so no message is sent twice or skipped.
  bool chat_live() const { return chat_live_.load(std::memory_order_acquire); }
  void set_chat_live() { chat_live_.store(true, std::memory_order_release); }
  void set_joined() { joined_.store(true, std::memory_order_release); }

  ViewKey view() const {
    return ViewKey::unpack(view_.load(std::memory_order_acquire),
                           view_layout_.load(std::memory_order_acquire));
  }
  void set_view(const ViewKey& key);

  // Camera. The newest decoded frame (empty pixels if none yet) and a counter that
  // changes whenever a new one arrives.
  VideoFrame latest_video() const;
  uint64_t video_version() const { return video_version_.load(std::memory_order_acquire); }
  void put_video(VideoFrame frame);
  void drop_video();
  // Whether some viewer shows this participant (set by the compositor with its
  // VideoRequest): frames that arrive while nobody does are not decoded.
  bool video_wanted() const { return video_wanted_.load(std::memory_order_acquire); }
  void set_video_wanted(bool wanted) { video_wanted_.store(wanted, std::memory_order_release); }
  // Switched off by the participant (MediaState): show the name only.
  bool video_off() const { return video_off_.load(std::memory_order_acquire); }
  void set_video_off(bool off);

  // Voice. The room gives each participant a mixer slot for as long as they are in the call.
  int audio_slot() const { return audio_slot_.load(std::memory_order_acquire); }
  void set_audio_slot(int slot) { audio_slot_.store(slot, std::memory_order_release); }
  bool muted() const { return muted_.load(std::memory_order_acquire); }
  void set_muted(bool muted);
  // Talking now (set by the mixer, shown by the compositor and the list).
  bool speaking() const { return speaking_.load(std::memory_order_acquire); }
  void set_speaking(bool on);
  // A decoded 20 ms frame from the network; when frames pile up, the oldest goes.
  void push_audio(std::span<const float> samples, uint64_t capture_us);
  // Takes the oldest waiting frame (mixer thread); false when none is waiting (not
  // talking, muted, or the network is late).
  bool pop_audio(std::span<float> out, uint64_t& capture_us);

  // What the participant list shows of this participant (net::ParticipantFlags), and a
  // counter that changes whenever that does, so the room can publish changes once a tick.
  uint8_t list_flags() const;
  uint64_t list_version() const { return list_version_.load(std::memory_order_acquire); }

 private:
  static constexpr size_t kAudioFrames = 4;  // bounds the delay a backlog can add
  static constexpr int kAudioBacklogTicks = 25;
  struct DecodedAudio {
    std::array<float, media::audio::kFrameSamples> samples{};
    uint64_t capture_us = 0;
  };
  void list_changed() { list_version_.fetch_add(1, std::memory_order_acq_rel); }

  Outbox& outbox_;
  uint32_t id_ = 0;
  net::Name name_;
  std::atomic<bool> joined_{false};
  std::atomic<bool> chat_live_{false};
  std::atomic<uint64_t> view_{0};
  std::atomic<uint64_t> view_layout_{0};
  std::atomic<uint64_t> list_version_{0};

  mutable std::mutex video_mutex_;
  VideoFrame latest_;
  std::atomic<uint64_t> video_version_{0};
  std::atomic<bool> video_off_{false};
  std::atomic<bool> video_wanted_{false};

  std::mutex audio_mutex_;
  core::FixedRing<DecodedAudio, kAudioFrames> audio_;
  int audio_backlog_ticks_ = 0;  // consecutive ticks with more than one frame waiting
  std::atomic<int> audio_slot_{-1};
  std::atomic<bool> muted_{false};
  std::atomic<bool> speaking_{false};
};

}  // namespace ttycall::server
