#pragma once
// Paces the voice: every 20 ms, one frame of the microphone is captured, encoded and handed
// to `send`, and one frame of what the server sent is played. After a stall (the process
// was stopped, the machine was busy) it picks up from now instead of bursting to catch up.
#include <asio.hpp>
#include <cstdint>
#include <functional>
#include <span>

#include "client/voice.h"
#include "core/clock.h"

namespace ttycall::client {

class VoicePacer {
 public:
  using Send = std::function<void(std::span<const uint8_t> packet)>;
  VoicePacer(asio::io_context& io, Send send) : timer_(io), send_(std::move(send)) {}

  void start(Voice& voice);
  void stop();

 private:
  void schedule();

  asio::steady_timer timer_;
  Send send_;
  Voice* voice_ = nullptr;
  uint64_t generation_ = 0;  // bumped by stop(): a wait already queued then does nothing
  core::SteadyClock::time_point next_{};
};

}  // namespace ttycall::client
