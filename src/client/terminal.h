#pragma once
// The client's terminal: full-screen mode while a call is on, and plain writes.
#include <termios.h>
#include <unistd.h>

#include <cstdint>
#include <optional>
#include <span>
#include <string_view>

#include "media/render_options.h"

namespace ttycall::client {

struct TerminalSize {
  int cols = 0;
  int rows = 0;
};

// Size of the terminal behind `fd`, if it is one.
std::optional<TerminalSize> terminal_size(int fd = STDOUT_FILENO);

// The colours a terminal shows, from its environment: COLORTERM=truecolor|24bit (or a TERM
// ending in -direct) means 24-bit; a TERM naming 256color (xterm-256color, screen-256color,
// tmux-256color) means 256; TERM=dumb or unset means none; any other TERM (xterm, linux,
// vt220, screen...) gets the 16 ANSI colours, which every colour terminal has.
media::ColorMode detect_color_mode(const char* colorterm, const char* term);
// The same from this process's environment.
media::ColorMode detect_color_mode();

// While alive: raw keyboard input (no echo, no line buffering, Ctrl-C arrives as a byte),
// the alternate screen, and a hidden cursor. The destructor puts everything back, so every
// exit path that unwinds restores the terminal. Paths that do not unwind are covered too:
// a crash (SIGSEGV, SIGABRT, SIGBUS, SIGFPE, SIGILL) and SIGINT/SIGTERM/SIGHUP that nobody
// else handles write a precomputed restore sequence with write(2), put the saved termios
// back, and re-raise the signal with its default action. Only one guard may be alive.
class TerminalGuard {
 public:
  TerminalGuard();
  ~TerminalGuard();
  TerminalGuard(const TerminalGuard&) = delete;
  TerminalGuard& operator=(const TerminalGuard&) = delete;

  void restore();
};

}  // namespace ttycall::client
