#pragma once
// The chat as the viewer sees it: the newest messages kept in a fixed ring, a panel over
// the video (shown or hidden with a key) that lays them out newest at the bottom, each as
// "HH:MM name: text", wrapped by display width; and what the status line says about chat
// (a notice, or how many messages arrived while the panel was hidden).
//
// Received text reaches the terminal only through the overlay: every code point goes
// through core::utf8::decode_displayable, so whatever a message held, each overlay cell
// gets a checked code point (or U+FFFD) taking one or two cells. Nothing allocates after
// construction but set_notice().
#include <array>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>

#include "media/overlay_cell.h"
#include "net/protocol.h"

namespace ttycall::client {

class ChatPanel {
 public:
  static constexpr size_t kKept = 32;    // messages the panel can show
  static constexpr int kMaxWidth = 64;   // cells
  static constexpr int kMaxHeight = 12;  // rows, and at most half the picture

  void add(const net::ChatMessage& message);
  size_t size() const { return added_ < kKept ? added_ : kKept; }

  bool visible() const { return visible_; }
  void toggle();
  // Messages that arrived while the panel was hidden.
  int unseen() const { return unseen_; }

  void set_notice(std::string text) { notice_ = std::move(text); }
  void clear_notice() { notice_.clear(); }
  // What the status line says about chat (empty: nothing): the notice, else the unseen count.
  std::string_view status_text();

  // Draws the panel over the bottom left of a cols x rows overlay (row-major). Draws
  // nothing when hidden or empty.
  void draw(std::span<media::OverlayCell> overlay, int cols, int rows) const;

 private:
  struct Line {
    std::array<char, 6> time{};  // "HH:MM" local time
    net::Name sender;
    uint16_t text_len = 0;
    std::array<char, net::kMaxChatTextBytes> text{};
  };
  // Lays out one message in `width` cells starting at `first_row` (rows above 0 or below
  // `rows` are skipped); returns the rows it takes.
  static int lay_out(const Line& line, int width, int first_row,
                     std::span<media::OverlayCell> overlay, int cols, int rows);

  std::array<Line, kKept> lines_{};
  size_t added_ = 0;  // messages ever added; the newest is lines_[(added_ - 1) % kKept]
  bool visible_ = true;
  int unseen_ = 0;
  std::string notice_;
  std::array<char, 64> status_{};
};

}  // namespace ttycall::client
