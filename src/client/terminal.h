#pragma once
// The client's terminal: full-screen mode while a call is on, and plain writes.
#include <termios.h>
#include <unistd.h>

#include <cstdint>
#include <optional>
#include <span>
#include <string_view>

namespace ttycall::client {

struct TerminalSize {
  int cols = 0;
  int rows = 0;
};

// Size of the terminal behind `fd`, if it is one.
std::optional<TerminalSize> terminal_size(int fd = STDOUT_FILENO);

// While alive: raw keyboard input (no echo, no line buffering, Ctrl-C arrives as a byte),
// the alternate screen, and a hidden cursor. The destructor puts everything back, so every
// exit path that unwinds restores the terminal.
class TerminalGuard {
 public:
  TerminalGuard();
  ~TerminalGuard();
  TerminalGuard(const TerminalGuard&) = delete;
  TerminalGuard& operator=(const TerminalGuard&) = delete;

  void restore();

 private:
  bool active_ = false;
  bool have_termios_ = false;
  termios saved_{};
};

}  // namespace ttycall::client
