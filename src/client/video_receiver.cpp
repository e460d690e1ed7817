#include "client/video_receiver.h"

#include <algorithm>
#include <array>

#include "core/alloc_accounting.h"
#include "media/jpeg_markers.h"
#include "media/label_layout.h"
#include "media/tiles_only.h"

namespace ttycall::client {
namespace {

const core::AllocSite& video_site() {
  static const core::AllocSite site("client.video");
  return site;
}

}  // namespace

VideoReceiver::Received VideoReceiver::receive(std::span<const uint8_t> payload, int max_cols,
                                               int max_rows) {
  std::span<const uint8_t> stripped;
  if (const Received read = read_header(payload, max_cols, max_rows, stripped);
      read != Received::kFrame) {
    return read;
  }
  if (!tables_ || tables_->options().quality != incoming_header_.quality) {
    tables_.emplace(media::picture_jpeg_options(incoming_header_.quality), video_site());
  }
  if (tables_->hash() != incoming_header_.tables_hash) return Received::kTablesDiffer;
  const int width = incoming_header_.cols;
  const int height = incoming_header_.rows * 2;
  if (!decode_picture(stripped, width, height)) return Received::kMalformed;
  clear_outside_tiles(width, height);
  std::swap(picture_, incoming_);
  header_ = incoming_header_;
  has_frame_ = true;
  lay_out_labels();
  return Received::kFrame;
}

VideoReceiver::Received VideoReceiver::receive_header_only(std::span<const uint8_t> payload,
                                                           int max_cols, int max_rows) {
  std::span<const uint8_t> stripped;
  const Received read = read_header(payload, max_cols, max_rows, stripped);
  if (read == Received::kFrame) header_ = incoming_header_;
  return read;
}

VideoReceiver::Received VideoReceiver::read_header(std::span<const uint8_t> payload, int max_cols,
                                                   int max_rows,
                                                   std::span<const uint8_t>& stripped) {
  if (!net::decode(payload, incoming_header_, stripped)) return Received::kMalformed;
  if (incoming_header_.cols > max_cols || incoming_header_.rows > max_rows) {
    return Received::kTooLarge;
  }
  return Received::kFrame;
}

bool VideoReceiver::decode_picture(std::span<const uint8_t> stripped, int width, int height) {
  core::grow_to(whole_jpeg_, stripped.size() + tables_->overhead(), video_site());
  const size_t size = tables_->restore(stripped, whole_jpeg_);
  if (size == 0) return false;
  const std::span<const uint8_t> jpeg(whole_jpeg_.data(), size);
  if (!media::jpeg_markers::is_baseline(jpeg)) return false;  // what the server encodes
  const size_t bytes = size_t(width) * height * 3;
  core::grow_to(incoming_, bytes, video_site());
  return decoder_.decode(jpeg, {width, height}, {incoming_.data(), bytes});
}

void VideoReceiver::clear_outside_tiles(int width, int height) {
  std::array<media::TileRect, net::kMaxFrameTiles> tiles;
  for (int i = 0; i < incoming_header_.tile_count; ++i) {
    const net::FrameTile& t = incoming_header_.tiles[size_t(i)];
    tiles[size_t(i)] = {t.col, t.row, t.cols, t.rows};
  }
  media::clear_outside_tiles({incoming_.data(), width, height, width * 3},
                             {tiles.data(), size_t(incoming_header_.tile_count)});
}

void VideoReceiver::lay_out_labels() {
  const int cols = header_.cols;
  const int rows = header_.rows;
  const size_t cells = size_t(cols) * rows;
  core::grow_to(overlay_, cells, video_site());
  std::fill_n(overlay_.begin(), cells, media::OverlayCell{});
  for (int i = 0; i < header_.label_count; ++i) {
    const net::FrameLabel& label = header_.labels[i];
    const uint8_t style =
        label.style == net::kLabelSpeaking ? media::kOverlayHighlight : media::kOverlayLabel;
    media::draw_label({overlay_.data(), cells}, cols, rows,
                      {label.col, label.row, label.width, style, label.name.view()});
  }
}

media::ImageView VideoReceiver::picture() const {
  if (!has_frame_) return {};
  return {picture_.data(), header_.cols, header_.rows * 2, header_.cols * 3};
}

std::span<const media::OverlayCell> VideoReceiver::overlay() const {
  if (!has_frame_) return {};
  return {overlay_.data(), size_t(header_.cols) * header_.rows};
}

}  // namespace ttycall::client
