#include "client/terminal.h"

#include <poll.h>
#include <sys/ioctl.h>

#include <cerrno>

namespace ttycall::client {

std::optional<TerminalSize> terminal_size(int fd) {
  winsize ws{};
  if (::ioctl(fd, TIOCGWINSZ, &ws) != 0 || ws.ws_col == 0 || ws.ws_row == 0) return std::nullopt;
  return TerminalSize{ws.ws_col, ws.ws_row};
}

bool write_all(int fd, std::span<const uint8_t> bytes) {
  const uint8_t* p = bytes.data();
  size_t left = bytes.size();
  while (left > 0) {
    const ssize_t n = ::write(fd, p, left);
    if (n < 0) {
      if (errno == EINTR) continue;
      if (errno == EAGAIN || errno == EWOULDBLOCK) {
        // Someone made the descriptor non-blocking: wait until the terminal drains.
        pollfd pfd{fd, POLLOUT, 0};
        ::poll(&pfd, 1, 1000);
        continue;
      }
      return false;
    }
    p += n;
    left -= size_t(n);
  }
  return true;
}

bool write_all(int fd, std::string_view text) {
  return write_all(fd, {reinterpret_cast<const uint8_t*>(text.data()), text.size()});
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
  write_all(STDOUT_FILENO, "\x1b[?1049h\x1b[?25l\x1b[?7l\x1b[2J\x1b[H");
  active_ = true;
}

TerminalGuard::~TerminalGuard() {
  restore();
}

void TerminalGuard::restore() {
  if (!active_) return;
  active_ = false;
  write_all(STDOUT_FILENO, "\x1b[?2026l\x1b[0m\x1b[?7h\x1b[?25h\x1b[?1049l");
  if (have_termios_) ::tcsetattr(STDIN_FILENO, TCSAFLUSH, &saved_);
}

}  // namespace ttycall::client
