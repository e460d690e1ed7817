#pragma once
// What a person sees of a call in their terminal: the server's frames with the status
// line and stats box around them (CallScreen), the too-small message, and a status text
// while reconnecting. Holds the terminal in full-screen mode while it lives, and writes
// every update in one write. A headless call has no CallView.
#include <cstdint>
#include <span>
#include <string_view>

#include "client/call_screen.h"
#include "client/terminal.h"
#include "net/protocol.h"

namespace ttycall::client {

class CallView {
 public:
  CallView(int cols, int rows);  // takes the terminal; shows the too-small message if so
  CallView(const CallView&) = delete;
  CallView& operator=(const CallView&) = delete;

  // A new window size: clears and redraws what it can until the next frame comes.
  void resize(int cols, int rows, const ScreenState& state);
  int picture_rows() const { return screen_.picture_rows(); }
  void set_participants(const net::Participants& list, uint32_t my_id) {
    screen_.set_participants(list, my_id);
  }

  // A frame rendered at frame_cols x frame_rows; drawn only if it fits the window as it is
  // now (a resize may be in flight). Returns whether it was drawn.
  bool draw_frame(std::span<const uint8_t> frame, int frame_cols, int frame_rows,
                  const ScreenState& state);
  // Only the status line and stats box (a key was pressed, someone joined).
  void draw_chrome(const ScreenState& state);
  void show_status(std::string_view text);
  // Puts the terminal back now (the end of a call).
  void restore() { terminal_.restore(); }

 private:
  TerminalGuard terminal_;
  CallScreen screen_;
  int cols_;
};

}  // namespace ttycall::client
