// `ttycall demo` in a real terminal: tmux runs it at a fixed size, and the test reads the
// screen as a person would see it.
#include <gtest/gtest.h>

#include <chrono>
#include <csignal>
#include <cstdlib>
#include <string>

#include "tmux_session.h"
#include "ttycall_binary.h"
#include "wait_until.h"

namespace ttycall::itest {
namespace {

using namespace std::chrono_literals;

int count_drawn_rows(const std::string& screen) {
  int drawn_rows = 0;
  size_t start = 0;
  while (start < screen.size()) {
    const size_t end = screen.find('\n', start);
    const std::string line = screen.substr(start, end == std::string::npos ? end : end - start);
    if (line.find("\xE2\x96\x80") != std::string::npos) ++drawn_rows;
    if (end == std::string::npos) break;
    start = end + 1;
  }
  return drawn_rows;
}

TEST(DemoTerminal, ShowsEveryoneAndRestoresTheTerminalOnQuit) {
  if (!have_tmux()) GTEST_SKIP() << "tmux is not installed";
  TmuxSession tmux;
  // The marker after the demo proves the shell got the terminal back in a sane state.
  tmux.start(120, 40, ttycall_binary() + " demo --name Tester; echo DEMO-EXITED-$?; sleep 60");

  const auto shows_everyone = [&] {
    const std::string s = tmux.screen();
    return contains(s, "Ada") && contains(s, "Grace") && contains(s, "Linus") &&
           contains(s, "Tester") && contains(last_line(s), "Tester (you)") &&
           count_drawn_rows(s) >= 30;
  };
  ASSERT_TRUE(wait_until(shows_everyone, 15s)) << "screen:\n" << tmux.screen();

  // The call fills the screen with half blocks: most rows are drawn, and the last row is
  // the status line: everyone's name and the keys.
  const std::string screen = tmux.screen();
  EXPECT_GE(count_drawn_rows(screen), 30) << screen;
  const std::string status = last_line(screen);
  for (const char* want : {"Ada", "Grace", "Linus", "Tester (you)", "q quit", "s stats"}) {
    EXPECT_TRUE(contains(status, want)) << want << " in status line: " << status;
  }
  EXPECT_FALSE(contains(status, "\xE2\x96\x80")) << status;  // no picture on the status row

  // s: the stats box appears over the picture; s again: it goes.
  tmux.keys("s");
  ASSERT_TRUE(wait_until(
      [&] {
        const std::string s = tmux.screen();
        return contains(s, "fps") && contains(s, "latency") && contains(s, "bandwidth") &&
               contains(s, "packet loss");
      },
      5s))
      << "screen after s:\n"
      << tmux.screen();
  tmux.keys("s");
  ASSERT_TRUE(wait_until([&] { return !contains(tmux.screen(), "latency"); }, 5s)) << tmux.screen();

  // m and v show in our own entry at once; f names the focus view.
  tmux.keys("m");
  tmux.keys("v");
  tmux.keys("f");
  ASSERT_TRUE(wait_until(
      [&] {
        const std::string line = last_line(tmux.screen());
        return contains(line, "Tester (you) [muted] [no video]") &&
               contains(line, "[focus: speaker]");
      },
      5s))
      << "status line after m, v, f: " << last_line(tmux.screen());
  // r: the picture switches to ascii (no half blocks left).
  tmux.keys("r");
  ASSERT_TRUE(wait_until([&] { return count_drawn_rows(tmux.screen()) == 0; }, 5s))
      << "screen after r:\n"
      << tmux.screen();

  tmux.keys("q");
  ASSERT_TRUE(wait_until([&] { return contains(tmux.screen(), "DEMO-EXITED-0"); }, 10s))
      << "screen after q:\n"
      << tmux.screen();
  // Back on the normal screen: no half blocks or status line left over.
  EXPECT_EQ(count_drawn_rows(tmux.screen()), 0) << tmux.screen();
  EXPECT_FALSE(contains(tmux.screen(), "q quit")) << tmux.screen();
}

TEST(DemoTerminal, TooSmallTerminalGetsAMessageNotGarbage) {
  if (!have_tmux()) GTEST_SKIP() << "tmux is not installed";
  TmuxSession tmux;
  tmux.start(30, 8, ttycall_binary() + " demo; echo DEMO-EXITED-$?; sleep 60");
  ASSERT_TRUE(wait_until([&] { return contains(tmux.screen(), "Terminal too small."); }, 10s))
      << tmux.screen();
  EXPECT_TRUE(contains(tmux.screen(), "Needs 40x12, is 30x8.")) << tmux.screen();
  EXPECT_EQ(count_drawn_rows(tmux.screen()), 0) << tmux.screen();
  tmux.keys("q");
  EXPECT_TRUE(wait_until([&] { return contains(tmux.screen(), "DEMO-EXITED-0"); }, 10s))
      << tmux.screen();
}

// A signal that kills the process (a crash, or a TERM from outside) still gives the
// terminal back: the normal screen, echo on.
// `exit_code` -1: any failure (sanitizer builds exit with their own codes).
void expect_restored_after_signal(const char* signal, int exit_code) {
  TmuxSession tmux;
  tmux.start(100, 30,
             ttycall_binary() +
                 " demo 2>/dev/null & pid=$!; echo PID=$pid; wait $pid; echo DEMO-EXITED-$?; " +
                 "stty -a | grep -qw echo && echo ECHO-IS-ON; sleep 60");
  ASSERT_TRUE(wait_until([&] { return contains(last_line(tmux.screen()), "q quit"); }, 15s))
      << tmux.screen();
  const std::string pid = run_shell(tmux.tmux() + " list-panes -t t -F '#{pane_pid}'");
  // The demo is the shell's child.
  const std::string child = run_shell("pgrep -P " + pid.substr(0, pid.find('\n')) + " ttycall");
  ASSERT_FALSE(child.empty());
  run_shell(std::string("kill -") + signal + " " + child.substr(0, child.find('\n')));
  ASSERT_TRUE(wait_until([&] { return contains(tmux.screen(), "DEMO-EXITED-"); }, 10s))
      << tmux.screen();
  const std::string screen = tmux.screen();
  const int code = std::atoi(screen.c_str() + screen.find("DEMO-EXITED-") + 12);
  if (exit_code >= 0) {
    EXPECT_EQ(code, exit_code) << screen;
  } else {
    EXPECT_NE(code, 0) << screen;
  }
  EXPECT_EQ(count_drawn_rows(tmux.screen()), 0) << tmux.screen();
  EXPECT_TRUE(wait_until([&] { return contains(tmux.screen(), "ECHO-IS-ON"); }, 5s))
      << "echo is still off:\n"
      << tmux.screen();
}

TEST(DemoTerminal, RestoredAfterACrash) {
  if (!have_tmux()) GTEST_SKIP() << "tmux is not installed";
#ifdef TTYCALL_SANITIZED
  // The sanitizer's own SEGV handler (which ours hands the signal on to) reports and exits
  // with its own code.
  expect_restored_after_signal("SEGV", -1);
#else
  expect_restored_after_signal("SEGV", 128 + SIGSEGV);  // died of it, as it should
#endif
}

TEST(DemoTerminal, RestoredAfterSigterm) {
  if (!have_tmux()) GTEST_SKIP() << "tmux is not installed";
  expect_restored_after_signal("TERM", 0);
}

}  // namespace
}  // namespace ttycall::itest
