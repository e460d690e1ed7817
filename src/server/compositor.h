#pragma once
// Composes one room's call for every viewer in it, once per distinct view.
//
// Each tick, viewers are grouped by view (picture size, layout, pin and gallery size: how the
// picture becomes text is each client's choice). Each view shows a gallery (gallery.h): at
// most its gallery size of members, chosen from one ranking of the room per tick. A view is
// composed (media::compose: tiles, pictures, where the labels go) only when a shown
// participant's camera frame or state, or the gallery, changed since its last composition;
// the picture is encoded once (JPEG 4:4:4, every frame on its own, so a viewer that skipped frames
// shows the right picture at once) into a pooled, framed VideoDown packet with the labels, which
// every viewer of the view shares (one refcount each, no copy). The compositor also tells each
// participant the camera size it needs: the largest tile anyone shows them in, and no video at all
// while nobody shows them (their frames are then not decoded either), and counts the members it
// asks for video in the server's decoded-frame demand (decoded_demand.h), by the net change of
// each tick. It also sends the room's participant list (participant_list.h).
//
// Only the tick touches the compositor's state. Views that need a render in a tick are
// shared out among the server's render threads (RenderWorkers), since distinct views are
// independent work. Scratch buffers grow when a bigger view first appears and are reused
// after that, so a steady call does not allocate. The frame buffers it reserved are given
// back to the pools when its views go, and all of them when the room goes.
#include <algorithm>
#include <array>
#include <atomic>
#include <cstdint>
#include <memory>
#include <vector>

#include "core/buffer_pool.h"
#include "media/compose.h"
#include "media/layout.h"
#include "net/protocol.h"
#include "server/gallery.h"
#include "server/participant.h"
#include "server/participant_list.h"
#include "server/render_workers.h"
#include "server/server_context.h"
#include "server/view_encoder.h"

namespace ttycall::server {

class Room;
struct ServerContext;

class Compositor : private RenderJob {
 public:
  // For a room of at most `max_members`: every per-member array is sized here, once.
  Compositor(ServerContext& context, Room& room, RenderWorkers& workers, int max_members);
  ~Compositor();
  Compositor(const Compositor&) = delete;
  Compositor& operator=(const Compositor&) = delete;

  void tick();
  // Read on the control thread, between ticks (the Memory Report, the scratch fitting).
  size_t view_count() const { return views_.size(); }
  size_t reserved_frame_bytes() const;  // the frame buffers claimed for its views
  ViewSize largest_view() const;        // by cells; 0x0 if it has none
  // Members asked for video in the last tick (shown, camera on): what it counts in the
  // server's DecodedDemand.
  size_t cameras_wanted() const { return cameras_wanted_.load(std::memory_order_relaxed); }

 private:
  // Ranked members kept each tick: the largest gallery plus a pinned member it leaves out,
  // and the participant list's length.
  static constexpr int kRanked = std::max(media::kMaxTiles + 1, net::kMaxListedParticipants);

  struct View {
    ViewKey key;
    int viewers = 0;
    // This tick's gallery: member ids by tile position, and where they are in members_.
    int count = 0;
    std::array<uint32_t, media::kMaxTiles> ids{};
    std::array<int, media::kMaxTiles> member{};
    // What the last render drew, per tile.
    int drawn_count = 0;
    std::array<uint32_t, media::kMaxTiles> drawn_ids{};
    std::array<uint64_t, media::kMaxTiles> versions{};
    std::array<uint8_t, media::kMaxTiles> states{};  // kDrawnSpeaking | kDrawnVideoOff
    uint32_t speaker_id = 0;  // the latest speaker when drawn (focus layout follows them)
    std::array<media::TileRect, media::kMaxTiles> tiles{};
    int tile_count = 0;
    uint32_t frame_number = 0;
    uint64_t frame_id = 0;  // unique across views; 0 = nothing rendered yet
    size_t high_class = 0;  // the largest frame size class this view has needed
    core::PooledBuffer packet;
  };
  enum DrawnState : uint8_t { kDrawnSpeaking = 1, kDrawnVideoOff = 2 };

  View* find_or_add_view(const ViewKey& key);
  void choose_galleries(int members);
  bool needs_render(const View& view) const;
  int focus_index(const View& view) const;  // which tile a focus view shows large
  uint32_t focus_id(const View& view) const;
  int index_of(uint32_t id) const;  // in members_ (join order is id order); -1 if gone
  // This tick's speakers, as follow_latest_speaker() needs them (members_ indices, -1: none).
  struct Speakers {
    int first = -1;                // the first speaking
    int started = -1;              // the first who did not speak last tick
    bool current_goes_on = false;  // latest_speaker_id_ speaks on
  };
  void follow_latest_speaker(const Speakers& speakers);
  void render_pending(ViewEncoder& encoder) override;  // renders views off pending_ until none
                                                       // is left
  void render(View& view, ViewEncoder& encoder);
  uint8_t state_of(int member) const;
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
  std::vector<std::shared_ptr<Participant>> members_;
  // What the compositor last did for each member (by id, in this tick's member order).
  struct Delivery {
    uint32_t id = 0;
    uint64_t frame_id = 0;    // the last frame offered to this viewer
    uint64_t last_spoke = 0;  // the tick they were last seen speaking; 0 = never
    uint16_t requested_width = 0;
    uint16_t requested_height = 0;
    bool has_list = false;  // has had a participant list
  };
  std::vector<Delivery> deliveries_;
  std::vector<Delivery> previous_deliveries_;
  int previous_count_ = 0;
  // This tick, per member (in members_ order).
  std::vector<VideoFrame> frames_;  // only for members some gallery shows
  std::vector<uint64_t> versions_;
  std::vector<uint8_t> states_;  // DrawnState bits
  std::vector<uint8_t> shown_;   // in some view's gallery
  std::vector<uint8_t> needs_list_;
  std::vector<GalleryCandidate> candidates_;
  std::vector<ViewKey> keys_;         // each member's view this tick
  std::vector<uint16_t> want_width_;  // the largest tile a member is shown in
  std::vector<uint16_t> want_height_;
  std::array<int, kRanked> ranking_{};  // indices into members_, best first
  std::array<uint32_t, kRanked> ranking_ids_{};
  int ranked_ = 0;
  ParticipantList list_;
  std::atomic<uint64_t> next_frame_id_{1};

  // This tick's renders, shared out.
  std::vector<View*> pending_;
  int pending_count_ = 0;
  std::atomic<int> next_pending_{0};
  int tick_members_ = 0;
  uint64_t tick_number_ = 0;
  uint32_t latest_speaker_id_ = 0;  // who spoke last (kept while nobody speaks)

  std::array<size_t, FramePools::kClassSizes.size()> reserved_{};  // claimed in frame_pools
  std::atomic<size_t> cameras_wanted_{0};  // added to context_.decoded_demand
};

}  // namespace ttycall::server
