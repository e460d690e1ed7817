// Chat in real terminals (issue 18): two clients, each in a tmux pane of its own, in one
// call. What alice types (t, a message, Enter) shows in bob's chat panel with her name,
// while bob's picture keeps moving; an arrow key typed into the input is no text and no
// command.
#include <gtest/gtest.h>

#include <chrono>
#include <set>
#include <string>

#include "server_process.h"
#include "temp_dir.h"
#include "tmux_session.h"
#include "ttycall_binary.h"
#include "wait_until.h"

namespace ttycall::itest {
namespace {

using namespace std::chrono_literals;

constexpr int kCols = 100;
constexpr int kRows = 30;

// The client as a person starts it, in the pane (exec: the pane's process is the client, so
// killing the tmux server ends it).
std::string client_command(const ServerProcess& server, const std::string& name,
                           const TempDir& dir) {
  return "exec " + ttycall_binary() + " client --host 127.0.0.1 --port " +
         std::to_string(server.port()) + " --name " + name +
         " --video test:moving --audio none --audio-out null 2>" + dir.file(name + ".stderr");
}

TEST(ChatTerminal, AMessageTypedInOneTerminalShowsInTheOthersPanelWhileTheVideoMoves) {
  if (!have_tmux()) GTEST_SKIP() << "tmux is not installed";
  TempDir dir;
  ServerProcess server({"--fps", "30"}, dir.file("server.stderr"));
  TmuxSession alice("alice");
  TmuxSession bob("bob");
  alice.start(kCols, kRows, client_command(server, "alice", dir));
  bob.start(kCols, kRows, client_command(server, "bob", dir));
  // Both in the call: each status line names the other.
  for (TmuxSession* t : {&alice, &bob}) {
    ASSERT_TRUE(wait_until(
        [&] {
          const std::string status = last_line(t->screen());
          return contains(status, "alice") && contains(status, "bob");
        },
        30s))
        << "screen:\n"
        << t->screen() << "\nserver:\n"
        << server.stderr_text();
  }

  // Alice opens the input and types, with an arrow key in the middle (its ESC [ D must
  // neither cancel the input nor leave "[D" or commands behind), then sends.
  alice.keys("t");
  ASSERT_TRUE(wait_until([&] { return contains(last_line(alice.screen()), "say:"); }, 10s))
      << alice.screen();
  alice.keys("-l hel");
  alice.keys("Left");
  alice.keys("-l 'lo there'");
  ASSERT_TRUE(
      wait_until([&] { return contains(last_line(alice.screen()), "say: hello there"); }, 10s))
      << "alice's input line: " << last_line(alice.screen());
  alice.keys("Enter");

  // Bob's panel (shown by default) has it, with her name.
  ASSERT_TRUE(wait_until([&] { return contains(bob.screen(), "alice: hello there"); }, 15s))
      << "bob's screen:\n"
      << bob.screen();
  EXPECT_FALSE(contains(bob.screen(), "[D")) << bob.screen();

  // And his picture still moves: the rows above the panel (at most 12 rows at the bottom),
  // read again and again, show several different pictures. A count of changes, not a rate.
  std::set<std::string> pictures;
  const bool moving = wait_until(
      [&] {
        pictures.insert(bob.rows_with_colours(0, kRows / 2 - 2));
        return pictures.size() >= 4;
      },
      30s, 100ms);
  EXPECT_TRUE(moving) << "bob's picture showed " << pictures.size()
                      << " different pictures after the message; screen:\n"
                      << bob.screen();
  // The message is still there.
  EXPECT_TRUE(contains(bob.screen(), "alice: hello there")) << bob.screen();
}

}  // namespace
}  // namespace ttycall::itest
