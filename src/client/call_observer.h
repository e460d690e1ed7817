#pragma once
// What a call reports as it goes, to whoever runs a Client and keeps figures of its own:
// the load generator counts frames, bytes and latency over its measuring window with it,
// and so never resets or reaches into the client's own statistics.
//
// The Client calls these on the thread that runs its io_context (on_ended also from its
// constructor, when the options cannot work), so an observer read on that thread needs no
// lock.
#include <cstddef>

namespace ttycall::client {

class CallObserver {
 public:
  virtual ~CallObserver() = default;
  // A video frame arrived and was decoded; `wire_bytes` counts header and payload,
  // `terminal_bytes` what drawing it wrote (or, headless, would write) to the terminal.
  virtual void on_video_frame(size_t wire_bytes, size_t terminal_bytes) = 0;
  // Capture -> arrival of our own tile, for each frame that shows it.
  virtual void on_own_latency_ms(double ms) = 0;
  // Any other packet arrived; header and payload bytes.
  virtual void on_packet_bytes(size_t wire_bytes) = 0;
  // The call has ended (stop(), --duration or a fatal error); nothing follows.
  virtual void on_ended() = 0;
};

}  // namespace ttycall::client
