#include "client/terminal.h"

#include <sys/ioctl.h>

#include <array>
#include <atomic>
#include <csignal>
#include <cstdlib>
#include <cstring>
#include <string_view>

#include "core/console.h"
#include "media/terminal_sequences.h"

namespace ttycall::client {
namespace {

constexpr char kEnter[] = "\x1b[?1049h\x1b[?25l\x1b[?7l\x1b[2J\x1b[H";
constexpr std::string_view kLineWrapOn = "\x1b[?7h";
constexpr std::string_view kCursorOn = "\x1b[?25h";
constexpr std::string_view kLeaveAlternateScreen = "\x1b[?1049l";
// End synchronized output (a crash may come mid-frame), reset attributes, line wrap and
// cursor back on, leave the alternate screen.
constexpr std::string_view kRestore =
    media::terminal::kJoined<media::terminal::kSyncEnd, media::terminal::kResetAttributes,
                             kLineWrapOn, kCursorOn, kLeaveAlternateScreen>;

constexpr std::array<int, 5> kCrashSignals = {SIGSEGV, SIGABRT, SIGBUS, SIGFPE, SIGILL};
constexpr std::array<int, 3> kQuitSignals = {SIGINT, SIGTERM, SIGHUP};

// What a signal handler needs to put the terminal back. A signal handler can reach nothing
// but static storage, so this one piece of process-wide state is unavoidable; it is written
// before the handlers are installed and only read by them.
struct RestoreState {
  termios saved{};
  bool have_termios = false;
  std::atomic<bool> active{false};
  struct sigaction previous[NSIG] {};
};
RestoreState& restore_state() {
  static RestoreState state;
  return state;
}

// Async-signal-safe: write(2), tcsetattr(3) and raise(3) only.
void restore_now() {
  RestoreState& s = restore_state();
  if (!s.active.exchange(false)) return;
  const char* p = kRestore.data();
  size_t left = kRestore.size();
  while (left > 0) {
    const ssize_t n = ::write(STDOUT_FILENO, p, left);
    if (n <= 0) break;  // EAGAIN on a non-blocking stdout: give up rather than spin
    p += n;
    left -= size_t(n);
  }
  if (s.have_termios) ::tcsetattr(STDIN_FILENO, TCSAFLUSH, &s.saved);
}

void on_fatal_signal(int signal) {
  const int saved_errno = errno;
  restore_now();
  // Back to what was there before us (the default, normally), then die of the same signal,
  // so the exit status and any core dump are the real ones.
  ::sigaction(signal, &restore_state().previous[signal], nullptr);
  errno = saved_errno;
  ::raise(signal);
}

void install_handlers() {
  RestoreState& s = restore_state();
  struct sigaction action {};
  action.sa_handler = on_fatal_signal;
  sigemptyset(&action.sa_mask);
  action.sa_flags = SA_NODEFER;
  for (int signal : kCrashSignals) ::sigaction(signal, &action, &s.previous[signal]);
  // Quit signals only where nobody else (the client's own signal watch) has a handler.
  for (int signal : kQuitSignals) {
    struct sigaction current {};
    ::sigaction(signal, nullptr, &current);
    if (current.sa_handler == SIG_DFL) ::sigaction(signal, &action, &s.previous[signal]);
  }
}

}  // namespace

std::optional<TerminalSize> terminal_size(int fd) {
  winsize ws{};
  if (::ioctl(fd, TIOCGWINSZ, &ws) != 0 || ws.ws_col == 0 || ws.ws_row == 0) return std::nullopt;
  return TerminalSize{ws.ws_col, ws.ws_row};
}

media::ColorMode detect_color_mode(const char* colorterm, const char* term) {
  const std::string_view ct = colorterm ? colorterm : "";
  const std::string_view t = term ? term : "";
  if (ct == "truecolor" || ct == "24bit" || t.find("direct") != std::string_view::npos) {
    return media::ColorMode::kTrueColor;
  }
  if (t.empty() || t == "dumb") return media::ColorMode::kNone;
  if (t.find("256color") != std::string_view::npos) return media::ColorMode::k256;
  return media::ColorMode::k16;  // xterm, linux, vt220, screen...: the common ground
}

media::ColorMode detect_color_mode() {
  return detect_color_mode(std::getenv("COLORTERM"), std::getenv("TERM"));
}

TerminalGuard::TerminalGuard() {
  RestoreState& s = restore_state();
  s.have_termios = false;
  if (::isatty(STDIN_FILENO) && ::tcgetattr(STDIN_FILENO, &s.saved) == 0) {
    s.have_termios = true;
    termios raw = s.saved;
    raw.c_lflag &= ~tcflag_t(ECHO | ICANON | ISIG | IEXTEN);
    raw.c_iflag &= ~tcflag_t(IXON | ICRNL);
    raw.c_cc[VMIN] = 1;
    raw.c_cc[VTIME] = 0;
    ::tcsetattr(STDIN_FILENO, TCSAFLUSH, &raw);
  }
  s.active.store(true);
  install_handlers();
  // Alternate screen, hidden cursor, no line wrap, clear once.
  core::write_all(STDOUT_FILENO, std::string_view(kEnter, sizeof(kEnter) - 1));
}

TerminalGuard::~TerminalGuard() {
  restore();
}

void TerminalGuard::restore() {
  restore_now();
}

}  // namespace ttycall::client
