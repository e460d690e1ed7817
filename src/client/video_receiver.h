#pragma once
// The video a viewer receives: each VideoDown payload decoded into the view's picture
// (cols x rows*2 RGB; the JPEG's tables, which the server leaves out, made here once per
// quality: media/jpeg_tables.h) and the overlay of its tile labels, laid out here by the
// client (media/label_layout.h), so no byte of a name reaches the terminal unchecked.
//
// A frame is decoded into a second picture buffer and kept only when all of it decoded,
// so a malformed frame leaves the last good one in place. Buffers grow, counted under
// "client.video", only when a larger view first arrives: receiving does not allocate.
#include <optional>
#include <span>
#include <vector>

#include "media/image.h"
#include "media/jpeg_codec.h"
#include "media/jpeg_tables.h"
#include "media/overlay_cell.h"
#include "net/protocol.h"

namespace ttycall::client {

class VideoReceiver {
 public:
  VideoReceiver() = default;
  VideoReceiver(const VideoReceiver&) = delete;
  VideoReceiver& operator=(const VideoReceiver&) = delete;

  enum class Received : uint8_t {
    kFrame,         // decoded: picture() and overlay() show it
    kMalformed,     // dropped: a bad payload, or a picture that is not the view's size
    kTooLarge,      // dropped before decoding: larger than the view this client asked for
    kTablesDiffer,  // dropped: this client's libjpeg makes other tables than the server's
  };
  // `max_cols` x `max_rows`: the view this client asked for. A server may send less (it
  // clamps), never more: a larger picture is refused before anything is decoded or grown.
  Received receive(std::span<const uint8_t> payload, int max_cols, int max_rows);
  // The same checks of the payload and its size, but the picture is not decoded: for a
  // load generator's client that measures the server, not itself. has_frame() stays false.
  Received receive_header_only(std::span<const uint8_t> payload, int max_cols, int max_rows);

  bool has_frame() const { return has_frame_; }
  // The last good frame: its header, picture and overlay (header().cols x header().rows).
  const net::VideoDownHeader& header() const { return header_; }
  media::ImageView picture() const;
  std::span<const media::OverlayCell> overlay() const;

 private:
  // Decodes the payload into incoming_header_ and checks its size against the view asked
  // for; kFrame when both hold, with `stripped` the picture's bytes.
  Received read_header(std::span<const uint8_t> payload, int max_cols, int max_rows,
                       std::span<const uint8_t>& stripped);
  bool decode_picture(std::span<const uint8_t> stripped, int width, int height);
  // The picture holds only its tiles: paints the rest black, as the server's canvas is.
  void clear_outside_tiles(int width, int height);
  void lay_out_labels();

  media::JpegDecoder decoder_{media::kPictureDct};
  net::VideoDownHeader header_{};
  net::VideoDownHeader incoming_header_{};
  std::vector<uint8_t> picture_;
  std::vector<uint8_t> incoming_;
  std::optional<media::JpegTables> tables_;  // of the last quality seen
  std::vector<uint8_t> whole_jpeg_;          // the picture with its tables back
  std::vector<media::OverlayCell> overlay_;
  bool has_frame_ = false;
};

}  // namespace ttycall::client
