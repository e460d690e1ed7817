#include "server/compositor.h"

#include <algorithm>
#include <bit>
#include <cstring>
#include <new>

#include "core/alloc_accounting.h"
#include "server/room.h"
#include "server/server_context.h"

namespace ttycall::server {
namespace {

// Every member fits a tile, and every name fits its label.
static_assert(net::kMaxParticipants <= media::kMaxTiles);

}  // namespace

Compositor::Compositor(ServerContext& context, Room& room, RenderWorkers& workers)
    : context_(context), room_(room), workers_(workers) {
  views_.reserve(net::kMaxParticipants);
}

Compositor::~Compositor() {
  for (size_t c = 0; c < reserved_.size(); ++c) context_.frame_pools.release(c, reserved_[c]);
}

void Compositor::render_pending(ViewEncoder& encoder) {
  for (int k; (k = next_pending_.fetch_add(1, std::memory_order_relaxed)) < pending_count_;) {
    try {
      render(*pending_[k], encoder);
    } catch (const std::bad_alloc&) {
      // A new, larger view's scratch did not fit in memory: its viewers keep the last
      // picture this tick, and the next tick tries again.
      context_.counters.frames_dropped.fetch_add(1, std::memory_order_relaxed);
      context_.counters.renders_out_of_memory.fetch_add(1, std::memory_order_relaxed);
    }
  }
}

Compositor::View* Compositor::find_or_add_view(const ViewKey& key) {
  for (View& v : views_) {
    if (v.key == key) return &v;
  }
  if (views_.size() == views_.capacity()) return nullptr;
  views_.emplace_back();
  View& view = views_.back();
  view.key = key;
  // A first guess at the frame size class (about one JPEG byte a cell), so the first frame
  // usually finds its class reserved.
  view.high_class = FramePools::class_of(size_t(key.cols) * key.rows + 1024);
  return &view;
}

bool Compositor::needs_render(const View& view) const {
  if (view.epoch != tick_epoch_ || view.frame_id == 0 || view.speaking != tick_speaking_ ||
      view.video_off != tick_video_off_) {
    return true;
  }
  if (view.key.layout == net::ViewLayout::kFocus && view.speaker_id != latest_speaker_id_) {
    return true;
  }
  for (int i = 0; i < tick_members_; ++i) {
    if (view.versions[i] != versions_[i]) return true;
  }
  return false;
}

void Compositor::tick() {
  const int n = room_.snapshot(members_);
  const uint64_t epoch = room_.epoch();
  match_deliveries(n);
  uint64_t speaking = 0;
  uint64_t video_off = 0;
  for (int i = 0; i < n; ++i) {
    versions_[i] = members_[i]->video_version();
    if (members_[i]->video_off()) {
      video_off |= uint64_t(1) << i;
    } else {
      frames_[i] = members_[i]->latest_video();
    }
    if (members_[i]->speaking()) speaking |= uint64_t(1) << i;
  }
  follow_latest_speaker(n, speaking);

  for (View& v : views_) v.viewers = 0;
  for (int i = 0; i < n; ++i) {
    keys_[i] = members_[i]->view();  // read once: delivery below uses the same view
    if (keys_[i].cols == 0 || !members_[i]->joined()) continue;
    if (View* v = find_or_add_view(keys_[i])) ++v->viewers;
  }
  // Views nobody watches any more are dropped (swap-and-pop keeps the storage).
  for (size_t i = 0; i < views_.size();) {
    if (views_[i].viewers == 0) {
      std::swap(views_[i], views_.back());
      views_.pop_back();
    } else {
      ++i;
    }
  }

  reserve_frame_buffers();
  tick_members_ = n;
  tick_epoch_ = epoch;
  tick_speaking_ = speaking;
  tick_video_off_ = video_off;
  pending_count_ = 0;
  for (View& v : views_) {
    if (needs_render(v)) pending_[pending_count_++] = &v;
  }
  next_pending_.store(0, std::memory_order_relaxed);
  workers_.run(*this, /*share=*/pending_count_ > 1);

  for (int i = 0; i < n; ++i) {
    for (const View& v : views_) {
      if (v.key == keys_[i] && v.packet && deliveries_[i].frame_id != v.frame_id) {
        members_[i]->outbox().offer_video(v.packet);
        deliveries_[i].frame_id = v.frame_id;
      }
    }
  }

  request_video_sizes(n);

  for (int i = 0; i < n; ++i) {
    frames_[i] = VideoFrame{};
    members_[i].reset();
  }
}

void Compositor::match_deliveries(int members) {
  // Members keep their join order, so searching on from where the last match was found
  // is almost always a hit at once; a newcomer costs one pass.
  std::copy_n(deliveries_.begin(), previous_count_, previous_deliveries_.begin());
  int from = 0;
  for (int i = 0; i < members; ++i) {
    const uint32_t id = members_[i]->id();
    Delivery found{id};
    for (int step = 0; step < previous_count_; ++step) {
      const int k = (from + step) % previous_count_;
      if (previous_deliveries_[k].id == id) {
        found = previous_deliveries_[k];
        from = k + 1;
        break;
      }
    }
    deliveries_[i] = found;
  }
  previous_count_ = members;
}

void Compositor::follow_latest_speaker(int members, uint64_t speaking) {
  // Focus views follow whoever spoke last (kept while everyone is quiet); someone who just
  // started speaking takes over from someone who goes on.
  if (speaking == 0) return;
  bool current_still_speaking = false;
  for (int i = 0; i < members; ++i) {
    if (members_[i]->id() == latest_speaker_id_) current_still_speaking = (speaking >> i) & 1;
  }
  const uint64_t started = speaking & ~tick_speaking_;
  if (started != 0 || !current_still_speaking) {
    latest_speaker_id_ = members_[std::countr_zero(started != 0 ? started : speaking)]->id();
  }
}

void Compositor::reserve_frame_buffers() {
  // Frame pools grow only here. A view's packets are held by the view, by each viewer's
  // mailbox and by each write in flight, but viewers share buffers, so a few distinct ones
  // per view cover a healthy call; a pathologically slow viewer meets an empty pool and
  // skips frames (counted as dropped) rather than growing it. A view reserves in every
  // class up to one above the largest it has needed, so content that compresses a little
  // worse never finds an empty class. This allocates only when a view appears, gains
  // viewers or first needs a larger class, and gives back when views go or lose viewers:
  // never per frame.
  constexpr size_t kMaxPerView = 12;
  std::array<size_t, FramePools::kClassSizes.size()> need{};
  for (const View& v : views_) {
    const size_t top = std::min(v.high_class + 1, need.size() - 1);
    const size_t count = std::min(size_t(v.viewers) * 2 + 2, kMaxPerView);
    for (size_t c = 0; c <= top; ++c) need[c] += count;
  }
  for (size_t c = 0; c < need.size(); ++c) {
    if (need[c] > reserved_[c]) {
      context_.frame_pools.claim(c, need[c] - reserved_[c]);
    } else if (need[c] < reserved_[c]) {
      context_.frame_pools.release(c, reserved_[c] - need[c]);
    }
    reserved_[c] = need[c];
  }
}

size_t Compositor::reserved_frame_bytes() const {
  size_t bytes = 0;
  for (size_t c = 0; c < reserved_.size(); ++c) bytes += reserved_[c] * FramePools::kClassSizes[c];
  return bytes;
}

ViewSize Compositor::largest_view() const {
  ViewSize largest;
  for (const View& v : views_) {
    const ViewSize size{v.key.cols, v.key.rows};
    if (size.cells() > largest.cells()) largest = size;
  }
  return largest;
}

void Compositor::render(View& view, ViewEncoder& encoder) {
  const EncodedView encoded = encode(view, encoder);
  view.tile_count = int(encoded.tiles.size());
  std::copy(encoded.tiles.begin(), encoded.tiles.end(), view.tiles.begin());

  view.epoch = tick_epoch_;
  view.speaking = tick_speaking_;
  view.video_off = tick_video_off_;
  view.speaker_id = latest_speaker_id_;
  std::copy_n(versions_.begin(), tick_members_, view.versions.begin());
  if (encoded.picture.empty()) return;
  publish(view, encoded);
}

bool Compositor::shows_picture(int member) const {
  return frames_[member].pixels && !((tick_video_off_ >> member) & 1);
}

EncodedView Compositor::encode(const View& view, ViewEncoder& encoder) const {
  std::array<media::TileSource, net::kMaxParticipants> sources;
  for (int i = 0; i < tick_members_; ++i) {
    media::ImageView picture;  // none: the tile is grey
    if (shows_picture(i)) {
      const VideoFrame& frame = frames_[i];
      picture = {frame.pixels.data(), frame.width, frame.height, frame.width * 3};
    }
    sources[i] = {picture, members_[i]->name().view(), ((tick_speaking_ >> i) & 1) != 0};
  }
  const bool focus = view.key.layout == net::ViewLayout::kFocus;
  const media::ComposeInput input{view.key.cols,
                                  view.key.rows,
                                  focus ? media::TileLayout::kFocus : media::TileLayout::kGrid,
                                  focus ? focus_index(view) : 0,
                                  {sources.data(), size_t(tick_members_)}};
  return encoder.encode(input);
}

void Compositor::publish(View& view, const EncodedView& encoded) {
  const std::span<const uint8_t> picture = encoded.picture;
  net::VideoDownHeader header;
  for (int i = 0; i < view.tile_count; ++i) {
    if (view.tiles[i].cols != 0 && shows_picture(i)) {
      header.sources[header.source_count++] = {members_[i]->id(), frames_[i].capture_us};
    }
  }
  size_t fixed = net::kVideoDownFixedSize + header.source_count * net::kFrameSourceSize;
  for (const media::TileLabel& label : encoded.labels) {
    const net::Name& name = members_[label.source]->name();
    header.labels[header.label_count++] = {
        uint16_t(label.col), uint16_t(label.row), uint16_t(label.width),
        uint8_t(label.speaking ? net::kLabelSpeaking : net::kLabelPlain), name};
    fixed += net::kFrameLabelFixedSize + name.len;
  }
  header.frame_number = view.frame_number + 1;
  header.cols = view.key.cols;
  header.rows = view.key.rows;
  header.format = net::PictureFormat::kJpeg;
  header.quality = uint8_t(kPictureQuality);
  header.tables_hash = encoded.tables_hash;
  const size_t payload_size = fixed + picture.size();
  view.high_class =
      std::max(view.high_class, FramePools::class_of(net::kHeaderSize + payload_size));
  core::PooledBuffer packet = context_.frame_pools.acquire(net::kHeaderSize + payload_size);
  if (!packet) {
    context_.counters.frames_dropped.fetch_add(1, std::memory_order_relaxed);
    return;
  }
  uint8_t* out = packet.data();
  if (net::encode(header, {out + net::kHeaderSize, fixed}) != fixed) return;
  std::memcpy(out + net::kHeaderSize + fixed, picture.data(), picture.size());
  net::write_header(net::MsgType::kVideoDown, {out + net::kHeaderSize, payload_size},
                    std::span<uint8_t, net::kHeaderSize>(out, net::kHeaderSize));
  packet.set_size(net::kHeaderSize + payload_size);

  view.packet = std::move(packet);
  view.frame_number = header.frame_number;
  view.frame_id = next_frame_id_.fetch_add(1, std::memory_order_relaxed);
  context_.counters.frames_rendered.fetch_add(1, std::memory_order_relaxed);
}

int Compositor::focus_index(const View& view) const {
  const uint32_t wanted = view.key.pinned_id != 0 ? view.key.pinned_id : latest_speaker_id_;
  for (int i = 0; i < tick_members_; ++i) {
    if (members_[i]->id() == wanted) return i;
  }
  return 0;  // the pinned participant left, or nobody has spoken yet: the first to join
}

void Compositor::request_video_sizes(int members) {
  const int max_w = context_.options.max_video_width;
  const int max_h = context_.options.max_video_height;
  for (int i = 0; i < members; ++i) {
    int w = 0, h = 0;
    for (const View& v : views_) {
      if (i < v.tile_count) {
        w = std::max(w, v.tiles[i].cols);
        h = std::max(h, v.tiles[i].rows * 2);
      }
    }
    if (w > 0 && h > 0) {
      const double scale = std::min({1.0, double(max_w) / w, double(max_h) / h});
      w = std::max(16, int(w * scale) & ~1);
      h = std::max(16, int(h * scale) & ~1);
    }
    Delivery& d = deliveries_[i];
    if (d.requested_width == w && d.requested_height == h) continue;
    std::array<uint8_t, 32> packet;
    const net::VideoRequest request{uint16_t(w), uint16_t(h), uint16_t(context_.options.fps)};
    if (size_t n = net::build_packet(net::MsgType::kVideoRequest, request, packet)) {
      if (members_[i]->outbox().send_control({packet.data(), n})) {
        d.requested_width = uint16_t(w);
        d.requested_height = uint16_t(h);
      }
    }
  }
}

}  // namespace ttycall::server
