#pragma once
// A real terminal for tests: a tmux server of its own (its own socket) runs a command in a
// pane of a fixed size, and the test reads the screen as a person would see it and types
// keys into it. The server, and with it whatever runs in its pane, is killed when the
// session ends.
#include <string>

namespace ttycall::itest {

// Runs a shell command and returns its stdout.
std::string run_shell(const std::string& command);

bool have_tmux();

class TmuxSession {
 public:
  // A socket per test (and per `tag`, for a test with several terminals): a server killed
  // by the test before must not take this one.
  explicit TmuxSession(const std::string& tag = "");
  ~TmuxSession();
  TmuxSession(const TmuxSession&) = delete;
  TmuxSession& operator=(const TmuxSession&) = delete;

  // "tmux -L SOCKET", for commands of a test's own.
  std::string tmux() const { return "tmux -L " + socket_; }
  void start(int cols, int rows, const std::string& command);
  // The screen's text, rows ending in '\n'.
  std::string screen() const;
  // Rows `first`..`last` (0-based) with their colours and attributes as escape sequences:
  // tells apart pictures that differ only in colour.
  std::string rows_with_colours(int first, int last) const;
  // `keys` as tmux send-keys takes them: key names (Enter, Escape, Left) or, after -l,
  // literal text.
  void keys(const std::string& keys) const;

 private:
  std::string socket_;
};

// The last non-empty line of a screen capture.
std::string last_line(const std::string& screen);

bool contains(const std::string& s, const std::string& what);

}  // namespace ttycall::itest
