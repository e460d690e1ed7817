#pragma once
// The video a viewer receives: each VideoDown payload decoded into the view's picture
// (cols x rows*2 RGB) and the overlay of its tile labels, laid out here by the client
// (render/label_layout.h), so no byte of a name reaches the terminal unchecked.
//
// A frame is decoded into a second picture buffer and kept only when all of it decoded,
// so a malformed frame leaves the last good one in place. Buffers grow, counted under
// "client.video", only when a larger view first arrives: receiving does not allocate.
#include <span>
#include <vector>

#include "media/image.h"
#include "media/jpeg_codec.h"
#include "media/overlay_cell.h"
#include "net/protocol.h"

namespace ttycall::client {

class VideoReceiver {
 public:
  VideoReceiver() = default;
  VideoReceiver(const VideoReceiver&) = delete;
  VideoReceiver& operator=(const VideoReceiver&) = delete;

  // Decodes one VideoDown payload; false (and the frame dropped) if the payload is
  // malformed or its picture does not decode at the view's size.
  bool receive(std::span<const uint8_t> payload);

  bool has_frame() const { return has_frame_; }
  // The last good frame: its header, picture and overlay (header().cols x header().rows).
  const net::VideoDownHeader& header() const { return header_; }
  media::ImageView picture() const;
  std::span<const media::OverlayCell> overlay() const;

 private:
  bool decode_picture(std::span<const uint8_t> jpeg, int width, int height);
  void lay_out_labels();

  media::JpegDecoder decoder_{media::DctMethod::kAccurate};  // as the server encodes
  net::VideoDownHeader header_{};
  net::VideoDownHeader incoming_header_{};
  std::vector<uint8_t> picture_;
  std::vector<uint8_t> incoming_;
  std::vector<media::OverlayCell> overlay_;
  bool has_frame_ = false;
};

}  // namespace ttycall::client
