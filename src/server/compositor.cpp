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

// Every tile's label fits a VideoDown, and every shown picture its sources.
static_assert(media::kMaxTiles <= net::kMaxLabels);
static_assert(media::kMaxTiles <= net::kMaxFrameSources);

}  // namespace

Compositor::Compositor(ServerContext& context, Room& room, RenderWorkers& workers, int max_members)
    : context_(context),
      room_(room),
      workers_(workers),
      members_(size_t(max_members)),
      deliveries_(size_t(max_members)),
      previous_deliveries_(size_t(max_members)),
      frames_(size_t(max_members)),
      versions_(size_t(max_members)),
      states_(size_t(max_members)),
      shown_(size_t(max_members)),
      needs_list_(size_t(max_members)),
      candidates_(size_t(max_members)),
      keys_(size_t(max_members)),
      want_width_(size_t(max_members)),
      want_height_(size_t(max_members)),
      pending_(size_t(max_members)) {
  views_.reserve(size_t(max_members));  // at most one view per member
}

Compositor::~Compositor() {
  for (size_t c = 0; c < reserved_.size(); ++c) context_.frame_pools.release(c, reserved_[c]);
  context_.decoded_demand.add(-int(cameras_wanted_.load(std::memory_order_relaxed)));
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
  if (view.frame_id == 0 || view.drawn_count != view.count) return true;
  if (view.key.layout == net::ViewLayout::kFocus && view.speaker_id != latest_speaker_id_) {
    return true;
  }
  for (int t = 0; t < view.count; ++t) {
    const int m = view.member[size_t(t)];
    if (view.drawn_ids[size_t(t)] != view.ids[size_t(t)] ||
        view.versions[size_t(t)] != versions_[size_t(m)] ||
        view.states[size_t(t)] != states_[size_t(m)]) {
      return true;
    }
  }
  return false;
}

void Compositor::tick() {
  ++tick_number_;
  const int n = room_.snapshot(members_);
  match_deliveries(n);
  Speakers speakers;
  for (int i = 0; i < n; ++i) {
    const Participant& p = *members_[size_t(i)];
    Delivery& d = deliveries_[size_t(i)];
    versions_[size_t(i)] = p.video_version();
    const bool speaking = p.speaking();
    // A camera counts while it is not switched off: a member nobody shows sends no frames.
    const bool video_off = p.video_off();
    states_[size_t(i)] =
        uint8_t((speaking ? kDrawnSpeaking : 0) | (video_off ? kDrawnVideoOff : 0));
    if (speaking) {
      if (speakers.first < 0) speakers.first = i;
      if (speakers.started < 0 && d.last_spoke + 1 != tick_number_) speakers.started = i;
      if (p.id() == latest_speaker_id_) speakers.current_goes_on = true;
      d.last_spoke = tick_number_;
    }
    candidates_[size_t(i)] = {p.id(), d.last_spoke, !video_off};
    shown_[size_t(i)] = 0;
    needs_list_[size_t(i)] = d.has_list ? 0 : 1;
  }
  follow_latest_speaker(speakers);
  ranked_ = rank_members({candidates_.data(), size_t(n)}, ranking_);
  for (int k = 0; k < ranked_; ++k) {
    ranking_ids_[size_t(k)] = members_[size_t(ranking_[size_t(k)])]->id();
  }

  for (View& v : views_) v.viewers = 0;
  for (int i = 0; i < n; ++i) {
    keys_[size_t(i)] = members_[size_t(i)]->view();  // read once: delivery uses the same view
    if (keys_[size_t(i)].cols == 0 || !members_[size_t(i)]->joined()) continue;
    if (View* v = find_or_add_view(keys_[size_t(i)])) ++v->viewers;
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
  tick_members_ = n;
  choose_galleries(n);
  // Only members some view shows are looked at: their latest frame is taken for the render.
  for (int i = 0; i < n; ++i) {
    if (shown_[size_t(i)] && !(states_[size_t(i)] & kDrawnVideoOff)) {
      frames_[size_t(i)] = members_[size_t(i)]->latest_video();
    }
  }

  reserve_frame_buffers();
  pending_count_ = 0;
  for (View& v : views_) {
    if (needs_render(v)) pending_[size_t(pending_count_++)] = &v;
  }
  next_pending_.store(0, std::memory_order_relaxed);
  workers_.run(*this, /*share=*/pending_count_ > 1);

  for (int i = 0; i < n; ++i) {
    for (const View& v : views_) {
      if (v.key == keys_[size_t(i)] && v.packet && deliveries_[size_t(i)].frame_id != v.frame_id) {
        members_[size_t(i)]->outbox().offer_video(v.packet);
        deliveries_[size_t(i)].frame_id = v.frame_id;
      }
    }
  }

  request_video_sizes(n);
  list_.publish({members_.data(), size_t(n)},
                {ranking_.data(), size_t(std::min(ranked_, net::kMaxListedParticipants))},
                {needs_list_.data(), size_t(n)});
  for (int i = 0; i < n; ++i) deliveries_[size_t(i)].has_list = needs_list_[size_t(i)] == 0;

  for (int i = 0; i < n; ++i) {
    frames_[size_t(i)] = VideoFrame{};
    members_[size_t(i)].reset();
  }
}

int Compositor::index_of(uint32_t id) const {
  // Members are in join order, and ids are handed out in join order.
  const auto begin = members_.begin();
  const auto end = begin + tick_members_;
  const auto it = std::lower_bound(
      begin, end, id,
      [](const std::shared_ptr<Participant>& p, uint32_t wanted) { return p->id() < wanted; });
  return it != end && (*it)->id() == id ? int(it - begin) : -1;
}

uint32_t Compositor::focus_id(const View& view) const {
  if (view.key.pinned_id != 0) return view.key.pinned_id;
  return view.key.layout == net::ViewLayout::kFocus ? latest_speaker_id_ : 0;
}

void Compositor::choose_galleries(int members) {
  for (View& v : views_) {
    const uint32_t pinned = focus_id(v);
    const std::span<const uint32_t> previous{v.ids.data(), size_t(v.count)};
    std::array<uint32_t, media::kMaxTiles> chosen;
    v.count = choose_gallery({ranking_ids_.data(), size_t(ranked_)}, pinned,
                             pinned != 0 && index_of(pinned) >= 0, previous, v.key.gallery, chosen);
    for (int t = 0; t < v.count; ++t) {
      v.ids[size_t(t)] = chosen[size_t(t)];
      v.member[size_t(t)] = index_of(chosen[size_t(t)]);
      shown_[size_t(v.member[size_t(t)])] = 1;
    }
  }
  (void)members;
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

void Compositor::follow_latest_speaker(const Speakers& speakers) {
  // Focus views follow whoever spoke last (kept while everyone is quiet); someone who just
  // started speaking takes over from someone who goes on.
  if (speakers.first < 0) return;
  if (speakers.started >= 0 || !speakers.current_goes_on) {
    latest_speaker_id_ =
        members_[size_t(speakers.started >= 0 ? speakers.started : speakers.first)]->id();
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

  view.drawn_count = view.count;
  for (int t = 0; t < view.count; ++t) {
    const int m = view.member[size_t(t)];
    view.drawn_ids[size_t(t)] = view.ids[size_t(t)];
    view.versions[size_t(t)] = versions_[size_t(m)];
    view.states[size_t(t)] = states_[size_t(m)];
  }
  view.speaker_id = latest_speaker_id_;
  if (encoded.picture.empty()) return;
  publish(view, encoded);
}

bool Compositor::shows_picture(int member) const {
  return frames_[size_t(member)].pixels && !(states_[size_t(member)] & kDrawnVideoOff);
}

EncodedView Compositor::encode(const View& view, ViewEncoder& encoder) const {
  std::array<media::TileSource, media::kMaxTiles> sources;
  for (int t = 0; t < view.count; ++t) {
    const int m = view.member[size_t(t)];
    media::ImageView picture;  // none: the tile is grey
    if (shows_picture(m)) {
      const VideoFrame& frame = frames_[size_t(m)];
      picture = {frame.pixels.data(), frame.width, frame.height, frame.width * 3};
    }
    sources[size_t(t)] = {picture, members_[size_t(m)]->name().view(),
                          (states_[size_t(m)] & kDrawnSpeaking) != 0};
  }
  const bool focus = view.key.layout == net::ViewLayout::kFocus;
  const media::ComposeInput input{view.key.cols,
                                  view.key.rows,
                                  focus ? media::TileLayout::kFocus : media::TileLayout::kGrid,
                                  focus ? focus_index(view) : 0,
                                  {sources.data(), size_t(view.count)}};
  return encoder.encode(input);
}

void Compositor::publish(View& view, const EncodedView& encoded) {
  const std::span<const uint8_t> picture = encoded.picture;
  net::VideoDownHeader header;
  for (int t = 0; t < view.tile_count; ++t) {
    const int m = view.member[size_t(t)];
    if (view.tiles[size_t(t)].cols != 0 && shows_picture(m)) {
      header.sources[header.source_count++] = {members_[size_t(m)]->id(),
                                               frames_[size_t(m)].capture_us};
    }
  }
  size_t fixed = net::kVideoDownFixedSize + header.source_count * net::kFrameSourceSize;
  for (const media::TileLabel& label : encoded.labels) {
    const net::Name& name = members_[size_t(view.member[size_t(label.source)])]->name();
    header.labels[header.label_count++] = {
        uint16_t(label.col), uint16_t(label.row), uint16_t(label.width),
        uint8_t(label.speaking ? net::kLabelSpeaking : net::kLabelPlain), name};
    fixed += net::kFrameLabelFixedSize + name.len;
  }
  header.tile_count = encoded.frame_tiles(view.key.cols, view.key.rows, header.tiles);
  fixed += header.tile_count * net::kFrameTileSize;
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
  const uint32_t wanted = focus_id(view);
  for (int t = 0; t < view.count; ++t) {
    if (view.ids[size_t(t)] == wanted) return t;
  }
  return 0;  // the pinned participant left, or nobody has spoken yet: the first tile
}

void Compositor::request_video_sizes(int members) {
  const int max_w = context_.options.max_video_width;
  const int max_h = context_.options.max_video_height;
  std::fill_n(want_width_.begin(), members, uint16_t(0));
  std::fill_n(want_height_.begin(), members, uint16_t(0));
  for (const View& v : views_) {
    for (int t = 0; t < std::min(v.tile_count, v.count); ++t) {
      const size_t m = size_t(v.member[size_t(t)]);
      want_width_[m] = uint16_t(std::max<int>(want_width_[m], v.tiles[size_t(t)].cols));
      want_height_[m] = uint16_t(std::max<int>(want_height_[m], v.tiles[size_t(t)].rows * 2));
    }
  }
  size_t wanted = 0;
  for (int i = 0; i < members; ++i) {
    int w = want_width_[size_t(i)], h = want_height_[size_t(i)];
    if (states_[size_t(i)] & kDrawnVideoOff) w = h = 0;  // their camera is off: shown by name
    if (w > 0 && h > 0) {
      const double scale = std::min({1.0, double(max_w) / w, double(max_h) / h});
      w = std::max(16, int(w * scale) & ~1);
      h = std::max(16, int(h * scale) & ~1);
      ++wanted;
    } else {
      w = h = 0;  // nobody shows them: no video, and none decoded
    }
    want_width_[size_t(i)] = uint16_t(w);
    want_height_[size_t(i)] = uint16_t(h);
  }
  // Decoded frames for those asked, reserved before they are asked. Only the net change
  // counts: a gallery that swapped one member for another neither frees nor allocates. A
  // reservation the budget refuses shows as dropped frames (the pool is short).
  const size_t had = cameras_wanted_.load(std::memory_order_relaxed);
  if (wanted != had) {
    context_.decoded_demand.add(int(wanted) - int(had));
    cameras_wanted_.store(wanted, std::memory_order_relaxed);
  }
  for (int i = 0; i < members; ++i) {
    const int w = want_width_[size_t(i)], h = want_height_[size_t(i)];
    Participant& p = *members_[size_t(i)];
    p.set_video_wanted(w > 0);
    Delivery& d = deliveries_[size_t(i)];
    if (d.requested_width == w && d.requested_height == h) continue;
    if (w == 0 && d.requested_width != 0) p.drop_video();  // its pool buffer goes back
    std::array<uint8_t, 32> packet;
    const net::VideoRequest request{uint16_t(w), uint16_t(h), uint16_t(context_.options.fps)};
    if (size_t n = net::build_packet(net::MsgType::kVideoRequest, request, packet)) {
      if (p.outbox().send_control({packet.data(), n})) {
        d.requested_width = uint16_t(w);
        d.requested_height = uint16_t(h);
      }
    }
  }
}

}  // namespace ttycall::server
