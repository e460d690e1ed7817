#pragma once
// Composes the call for every viewer, once per distinct view.
//
// Each tick, viewers are grouped by view (terminal size, render mode, colour mode). A view
// is rendered only when a participant's camera frame or the membership changed since its
// last render; the rendered text is compressed once into a pooled, framed VideoDown packet
// that every viewer of the view shares (one refcount each, no copy). The compositor also
// tells each participant the camera size it needs: the largest tile anyone shows them in.
//
// Only the tick touches the compositor's state; its scratch buffers grow when a bigger
// view first appears and are reused after that, so a steady call does not allocate.
#include <array>
#include <cstdint>
#include <memory>
#include <vector>

#include "core/buffer_pool.h"
#include "media/layout.h"
#include "media/text_renderer.h"
#include "media/zstd_codec.h"
#include "net/protocol.h"
#include "server/server_context.h"
#include "server/session.h"

namespace ttycall::server {

class Room;
struct ServerContext;

class Compositor {
 public:
  Compositor(ServerContext& context, Room& room);

  void tick();
  size_t view_count() const { return views_.size(); }

 private:
  struct View {
    ViewKey key;
    int viewers = 0;
    uint64_t epoch = ~uint64_t(0);
    uint64_t speaking = 0;  // bit i: member i was drawn as speaking
    std::array<uint64_t, net::kMaxParticipants> versions{};
    std::array<media::TileRect, net::kMaxParticipants> tiles{};
    int tile_count = 0;
    uint32_t frame_number = 0;
    uint64_t frame_id = 0;  // unique across views; 0 = nothing rendered yet
    size_t high_class = 0;  // the largest frame size class this view has needed
    core::PooledBuffer packet;
  };

  View* find_or_add_view(const ViewKey& key);
  bool needs_render(const View& view, int members, uint64_t epoch, uint64_t speaking) const;
  void render(View& view, int members, uint64_t epoch, uint64_t speaking);
  void draw_label(const View& view, const media::TileRect& tile, const net::Name& name,
                  bool speaking);
  void request_video_sizes(int members);
  void reserve_frame_buffers();

  ServerContext& context_;
  Room& room_;
  std::vector<View> views_;  // reserved once: never reallocates
  std::array<std::shared_ptr<Session>, net::kMaxParticipants> members_;
  std::array<VideoFrame, net::kMaxParticipants> frames_;
  std::array<uint64_t, net::kMaxParticipants> versions_{};
  std::vector<uint8_t> canvas_;
  std::vector<media::OverlayCell> overlay_;
  std::vector<uint8_t> text_;
  std::vector<uint8_t> compressed_;
  media::FrameCompressor compressor_;
  uint64_t next_frame_id_ = 1;
  std::array<size_t, FramePools::kClassSizes.size()> reserved_{};
};

}  // namespace ttycall::server
