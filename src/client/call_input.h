#pragma once
// What reaches a call from outside the network: keys typed at the terminal and the
// signals that end a call (SIGINT, SIGTERM, SIGHUP) or resize its window (SIGWINCH). Each
// is handed to the client as an event on its io thread. Keys come through a KeyDecoder:
// escape sequences (arrows, function keys) are dropped whole, and an Escape is handed on
// once the byte after it shows it alone, or kEscapeWait passed without one.
#include <array>
#include <asio.hpp>
#include <chrono>
#include <cstdint>
#include <functional>
#include <optional>

#include "client/key_decoder.h"

namespace ttycall::client {

class CallInput {
 public:
  // How long an ESC waits for the rest of a sequence: a terminal sends a sequence in one
  // write, so its bytes come together, but over ssh they may be split a little apart.
  static constexpr std::chrono::milliseconds kEscapeWait{50};

  struct Handlers {
    std::function<void(uint8_t key)> key;
    std::function<void()> resize;
    std::function<void()> quit;
  };
  CallInput(asio::io_context& io, Handlers handlers);
  CallInput(const CallInput&) = delete;
  CallInput& operator=(const CallInput&) = delete;

  // Reads keys from the controlling terminal, if stdin is one.
  void read_keys();
  // Watches the quit signals, and SIGWINCH with `resize`.
  void watch_signals(bool resize);
  // Stops both; pending handlers then do nothing.
  void close();

 private:
  void next_keys();
  void on_key_bytes(size_t n);  // n bytes read into key_bytes_
  void next_signal();
  void deliver(const KeyDecoder::Keys& keys);

  Handlers handlers_;
  asio::io_context& io_;
  asio::signal_set signals_;
  std::optional<asio::posix::stream_descriptor> keyboard_;
  std::array<uint8_t, 64> key_bytes_{};
  KeyDecoder decoder_;
  asio::steady_timer escape_timer_;
  uint64_t reads_ = 0;  // so that a wait that ended as bytes came does not flush them
  bool closed_ = false;
};

}  // namespace ttycall::client
