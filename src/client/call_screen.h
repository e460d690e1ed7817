#pragma once
// What the client draws around the server's picture: a status line on the last row (who
// is in the call, who speaks, who is muted, the keys), an optional stats box over the
// picture, and a plain message when the terminal is too small for a call.
//
// The server renders the picture one row shorter than the terminal; compose() appends the
// status line and the box to the frame before its end-of-synchronized-output mark, so the
// terminal gets everything in one write. The output buffer grows only when a larger frame
// first arrives and the additions are formatted in place: drawing does not allocate.
#include <cstdint>
#include <span>
#include <string_view>
#include <vector>

#include "media/render_options.h"
#include "net/protocol.h"

namespace ttycall::client {

// What the status line and the stats box show besides the participants.
struct ScreenState {
  bool muted = false;
  bool video_off = false;
  bool show_stats = false;
  media::RenderMode render = media::RenderMode::kHalf;
  media::ColorMode color = media::ColorMode::kTrueColor;
  net::ViewLayout layout = net::ViewLayout::kGrid;
  uint32_t pinned_id = 0;
  // Chat: the input line while it is open (what was typed, unchecked), else a notice or
  // the count of unseen messages; empty: the usual status line.
  bool chat_input_open = false;
  std::string_view chat_line;
  // Stats box figures, over the last second or so.
  double fps = 0;
  double latency_ms = 0;  // own camera to own screen through the server
  double rtt_ms = 0;      // ping round trip
  double kbit_per_s = 0;  // received
  double audio_loss = 0;  // fraction of audio packets lost
  double audio_delay_ms = 0;
};

class CallScreen {
 public:
  static constexpr int kMinCols = 40;
  static constexpr int kMinRows = 12;

  CallScreen();

  void set_size(int cols, int rows);
  bool too_small() const { return cols_ < kMinCols || rows_ < kMinRows; }
  // Rows of picture to ask the server for (the last row is the status line).
  int picture_rows() const { return rows_ > 1 ? rows_ - 1 : 1; }

  void set_participants(const net::Participants& list, uint32_t my_id);
  const net::Participants& participants() const { return participants_; }
  // The name of a participant as it arrived (unchecked: sanitize before showing it), empty
  // if unknown.
  std::string_view name_of(uint32_t id) const;

  // The frame followed by the status line and (if asked) the stats box, in one buffer.
  std::span<const uint8_t> compose(std::span<const uint8_t> frame, const ScreenState& state);
  // Only the status line and stats box (a key was pressed, someone joined).
  std::span<const uint8_t> compose_chrome(const ScreenState& state);
  // A clear screen and a message saying the terminal is too small and how large it must be.
  std::span<const uint8_t> compose_too_small();

 private:
  void append(std::string_view text);
  void append_status(const ScreenState& state);
  void append_stats(const ScreenState& state);

  int cols_ = 80;
  int rows_ = 24;
  uint32_t my_id_ = 0;
  net::Participants participants_{};
  std::vector<uint8_t> out_;
  size_t size_ = 0;
};

}  // namespace ttycall::client
