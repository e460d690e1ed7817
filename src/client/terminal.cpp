#include "client/terminal.h"

#include <sys/ioctl.h>

#include "core/console.h"

namespace ttycall::client {

std::optional<TerminalSize> terminal_size(int fd) {
  winsize ws{};
  if (::ioctl(fd, TIOCGWINSZ, &ws) != 0 || ws.ws_col == 0 || ws.ws_row == 0) return std::nullopt;
  return TerminalSize{ws.ws_col, ws.ws_row};
}

TerminalGuard::TerminalGuard() {
  if (::isatty(STDIN_FILENO) && ::tcgetattr(STDIN_FILENO, &saved_) == 0) {
    have_termios_ = true;
    termios raw = saved_;
    raw.c_lflag &= ~tcflag_t(ECHO | ICANON | ISIG | IEXTEN);
    raw.c_iflag &= ~tcflag_t(IXON | ICRNL);
    raw.c_cc[VMIN] = 1;
    raw.c_cc[VTIME] = 0;
    ::tcsetattr(STDIN_FILENO, TCSAFLUSH, &raw);
  }
  // Alternate screen, hidden cursor, no line wrap, clear once.
  core::write_all(STDOUT_FILENO, "\x1b[?1049h\x1b[?25l\x1b[?7l\x1b[2J\x1b[H");
  active_ = true;
}

TerminalGuard::~TerminalGuard() {
  restore();
}

void TerminalGuard::restore() {
  if (!active_) return;
  active_ = false;
  core::write_all(STDOUT_FILENO, "\x1b[?2026l\x1b[0m\x1b[?7h\x1b[?25h\x1b[?1049l");
  if (have_termios_) ::tcsetattr(STDIN_FILENO, TCSAFLUSH, &saved_);
}

}  // namespace ttycall::client
