// `ttycall demo` in a real terminal: tmux runs it at a fixed size, and the test reads the
// screen as a person would see it.
#include <gtest/gtest.h>
#include <unistd.h>

#include <array>
#include <chrono>
#include <cstdio>
#include <string>

#include "ttycall_binary.h"
#include "wait_until.h"

namespace ttycall::itest {
namespace {

using namespace std::chrono_literals;

// Runs a shell command and returns its stdout.
std::string run(const std::string& command) {
  std::string out;
  FILE* pipe = ::popen(command.c_str(), "r");
  if (pipe == nullptr) return out;
  std::array<char, 4096> buffer;
  while (size_t n = std::fread(buffer.data(), 1, buffer.size(), pipe)) out.append(buffer.data(), n);
  ::pclose(pipe);
  return out;
}

bool have_tmux() {
  return std::system("command -v tmux >/dev/null 2>&1") == 0;
}

// A tmux server of its own (its own socket), killed when the test ends.
class TmuxSession {
 public:
  TmuxSession() : socket_("ttycall-test-" + std::to_string(::getpid())) {}
  ~TmuxSession() { run(tmux() + " kill-server 2>/dev/null"); }

  std::string tmux() const { return "tmux -L " + socket_; }
  void start(int cols, int rows, const std::string& command) {
    run(tmux() + " new-session -d -s t -x " + std::to_string(cols) + " -y " + std::to_string(rows) +
        " '" + command + "'");
  }
  std::string screen() const { return run(tmux() + " capture-pane -p -t t"); }
  void keys(const std::string& keys) const { run(tmux() + " send-keys -t t " + keys); }

 private:
  std::string socket_;
};

TEST(DemoTerminal, ShowsEveryoneAndRestoresTheTerminalOnQuit) {
  if (!have_tmux()) GTEST_SKIP() << "tmux is not installed";
  TmuxSession tmux;
  // The marker after the demo proves the shell got the terminal back in a sane state.
  tmux.start(120, 40, ttycall_binary() + " demo --name Tester; echo DEMO-EXITED-$?; sleep 60");

  const auto shows_everyone = [&] {
    const std::string s = tmux.screen();
    return s.find("Ada") != std::string::npos && s.find("Grace") != std::string::npos &&
           s.find("Linus") != std::string::npos && s.find("Tester") != std::string::npos;
  };
  ASSERT_TRUE(wait_until(shows_everyone, 15s)) << "screen:\n" << tmux.screen();

  // The call fills the screen with half blocks: most rows are drawn.
  const std::string screen = tmux.screen();
  int drawn_rows = 0;
  size_t start = 0;
  while (start < screen.size()) {
    const size_t end = screen.find('\n', start);
    const std::string line = screen.substr(start, end == std::string::npos ? end : end - start);
    if (line.find("\xE2\x96\x80") != std::string::npos) ++drawn_rows;
    if (end == std::string::npos) break;
    start = end + 1;
  }
  EXPECT_GE(drawn_rows, 30) << screen;

  tmux.keys("q");
  ASSERT_TRUE(
      wait_until([&] { return tmux.screen().find("DEMO-EXITED-0") != std::string::npos; }, 10s))
      << "screen after q:\n"
      << tmux.screen();
  // Back on the normal screen: no half blocks left over from the alternate screen.
  EXPECT_EQ(tmux.screen().find("\xE2\x96\x80"), std::string::npos) << tmux.screen();
}

}  // namespace
}  // namespace ttycall::itest
