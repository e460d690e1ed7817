#pragma once
// What reaches a call from outside the network: keys typed at the terminal and the
// signals that end a call (SIGINT, SIGTERM, SIGHUP) or resize its window (SIGWINCH). Each
// is handed to the client as an event on its io thread.
#include <array>
#include <asio.hpp>
#include <cstdint>
#include <functional>
#include <optional>

namespace ttycall::client {

class CallInput {
 public:
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
  void next_signal();

  Handlers handlers_;
  asio::io_context& io_;
  asio::signal_set signals_;
  std::optional<asio::posix::stream_descriptor> keyboard_;
  std::array<uint8_t, 64> key_bytes_{};
  bool closed_ = false;
};

}  // namespace ttycall::client
