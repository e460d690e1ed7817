#pragma once
// Composes one room's call for every viewer in it, once per distinct view.
//
// Each tick, viewers are grouped by view (picture size and layout: how the picture becomes
// text is each client's choice). A view is composed (media::compose: tiles, pictures,
// where the labels go) only when a participant's camera frame or the membership changed
// since its last composition; the picture is encoded once (JPEG 4:4:4, every frame on its
// own, so a viewer that skipped frames shows the right picture at once) into a pooled,
// framed VideoDown packet with the labels, which every viewer of the view shares (one
// refcount each, no copy). The compositor also tells each participant the camera size it
// needs: the largest tile anyone shows them in.
//
// Only the tick touches the compositor's state. Views that need a render in a tick are
// shared out among the server's render threads (RenderWorkers), since distinct views are
// independent work. Scratch buffers grow when a bigger view first appears and are reused
// after that, so a steady call does not allocate. The frame buffers it reserved are given
// back to the pools when its views go, and all of them when the room goes.
#include <array>
#include <atomic>
#include <cstdint>
#include <memory>
#include <vector>

#include "core/buffer_pool.h"
#include "media/compose.h"
#include "media/layout.h"
#include "net/protocol.h"
#include "server/participant.h"
#include "server/render_workers.h"
#include "server/server_context.h"
#include "server/view_encoder.h"

namespace ttycall::server {

class Room;
struct ServerContext;

class Compositor : private RenderJob {
 public:
  Compositor(ServerContext& context, Room& room, RenderWorkers& workers);
  ~Compositor();
  Compositor(const Compositor&) = delete;
  Compositor& operator=(const Compositor&) = delete;

  void tick();
  // Read on the control thread, between ticks (the Memory Report, the scratch fitting).
  size_t view_count() const { return views_.size(); }
  size_t reserved_frame_bytes() const;  // the frame buffers claimed for its views
  ViewSize largest_view() const;        // by cells; 0x0 if it has none

 private:
  struct View {
    ViewKey key;
    int viewers = 0;
    uint64_t epoch = ~uint64_t(0);
    uint64_t speaking = 0;    // bit i: member i was drawn as speaking
    uint64_t video_off = 0;   // bit i: member i was drawn as a name only (camera off)
    uint32_t speaker_id = 0;  // the latest speaker when drawn (focus layout follows them)
    std::array<uint64_t, net::kMaxParticipants> versions{};
    std::array<media::TileRect, net::kMaxParticipants> tiles{};
    int tile_count = 0;
    uint32_t frame_number = 0;
    uint64_t frame_id = 0;  // unique across views; 0 = nothing rendered yet
    size_t high_class = 0;  // the largest frame size class this view has needed
    core::PooledBuffer packet;
  };

  View* find_or_add_view(const ViewKey& key);
  bool needs_render(const View& view) const;
  int focus_index(const View& view) const;  // which member a focus view shows large
  // Updates latest_speaker_id_ from this tick's speaking bits (before tick_speaking_ is).
  void follow_latest_speaker(int members, uint64_t speaking);
  void render_pending(ViewEncoder& encoder) override;  // renders views off pending_ until none
                                                       // is left
  void render(View& view, ViewEncoder& encoder);
  bool shows_picture(int member) const;  // this tick: a frame, and the camera on
  EncodedView encode(const View& view, ViewEncoder& encoder) const;
  // Frames the picture and labels as the view's new VideoDown packet, shared by all its
  // viewers.
  void publish(View& view, const EncodedView& encoded);
  void match_deliveries(int members);  // carries each member's Delivery over from last tick
  void request_video_sizes(int members);
  void reserve_frame_buffers();

  ServerContext& context_;
  Room& room_;
  RenderWorkers& workers_;
  std::vector<View> views_;  // reserved once: never reallocates
  std::array<std::shared_ptr<Participant>, net::kMaxParticipants> members_;
  // What the compositor last did for each member (by id, in this tick's member order).
  struct Delivery {
    uint32_t id = 0;
    uint64_t frame_id = 0;  // the last frame offered to this viewer
    uint16_t requested_width = 0;
    uint16_t requested_height = 0;
  };
  std::array<Delivery, net::kMaxParticipants> deliveries_{};
  std::array<Delivery, net::kMaxParticipants> previous_deliveries_{};
  int previous_count_ = 0;
  std::array<VideoFrame, net::kMaxParticipants> frames_;
  std::array<uint64_t, net::kMaxParticipants> versions_{};
  std::array<ViewKey, net::kMaxParticipants> keys_{};  // each member's view this tick
  std::atomic<uint64_t> next_frame_id_{1};

  // This tick's renders, shared out.
  std::array<View*, net::kMaxParticipants> pending_{};
  int pending_count_ = 0;
  std::atomic<int> next_pending_{0};
  int tick_members_ = 0;
  uint64_t tick_epoch_ = 0;
  uint64_t tick_speaking_ = 0;
  uint64_t tick_video_off_ = 0;
  uint32_t latest_speaker_id_ = 0;  // who spoke last (kept while nobody speaks)

  std::array<size_t, FramePools::kClassSizes.size()> reserved_{};  // claimed in frame_pools
};

}  // namespace ttycall::server
