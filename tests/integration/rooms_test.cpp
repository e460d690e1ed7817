// Rooms: one `ttycall server` hosting several calls at once, over 127.0.0.1. Each room's
// members see only their own room's colours (test:solid tiles in the frames they saved)
// and hear only their own room's tones (Goertzel, as in voice_test.cpp); `ttycall rooms`
// lists exactly the rooms there are, with their counts; a refused join says why in one
// line and ends the client.
#include <gtest/gtest.h>
#include <signal.h>

#include <chrono>
#include <fstream>
#include <optional>
#include <string>
#include <vector>

#include "client_process.h"
#include "frame_parser.h"
#include "server_process.h"
#include "temp_dir.h"
#include "text_file.h"
#include "tile_colours.h"
#include "tone_check.h"
#include "ttycall_binary.h"
#include "wait_until.h"

namespace ttycall::itest {
namespace {

using namespace std::chrono_literals;

struct RoomOfTest {
  std::string name;
  std::string rrggbb;  // every member's test:solid colour
  Hue hue;
  double tone_hz;  // what its talker says
};

const std::vector<RoomOfTest> kRooms = {
    {"red", "ff0000", Hue::kRed, 440},
    {"green", "00ff00", Hue::kGreen, 660},
    {"blue", "0000ff", Hue::kBlue, 880},
};

// `ttycall rooms ARGS...`: its exit status and what it printed.
struct RoomsRun {
  std::optional<ExitStatus> status;
  std::string out;
  std::string err;
};
RoomsRun run_rooms(const TempDir& dir, const std::vector<std::string>& args) {
  std::vector<std::string> argv = {ttycall_binary(), "rooms"};
  argv.insert(argv.end(), args.begin(), args.end());
  ChildProcess process =
      ChildProcess::start(argv, dir.file("rooms.stdout"), dir.file("rooms.stderr"));
  RoomsRun run;
  run.status = process.wait_for(30s);
  run.out = read_file_or_empty(dir.file("rooms.stdout"));
  run.err = read_file_or_empty(dir.file("rooms.stderr"));
  return run;
}

std::string address(uint16_t port, const std::string& room = "") {
  return "127.0.0.1:" + std::to_string(port) + (room.empty() ? "" : "/" + room);
}

// The lines of `text` that start with "ttycall: " and are not the first-use key notice.
std::vector<std::string> message_lines(const std::string& text) {
  std::vector<std::string> lines;
  size_t start = 0;
  while (start < text.size()) {
    size_t end = text.find('\n', start);
    if (end == std::string::npos) end = text.size();
    const std::string line = text.substr(start, end - start);
    if (line.rfind("ttycall: ", 0) == 0 && line.find("is now pinned") == std::string::npos) {
      lines.push_back(line);
    }
    start = end + 1;
  }
  return lines;
}

// The done-when test of rooms: three rooms on one server, each with a talker and a viewer
// (both showing the room's colour). Every member sees and hears only its own room, and
// `ttycall rooms` lists exactly the three, two members each.
TEST(Rooms, EachRoomSeesAndHearsOnlyItself) {
  constexpr double kDuration = 8;
  TempDir dir;
  ServerProcess server({"--list-rooms", "--max-connections-per-ip", "16"},
                       dir.file("server.stderr"));
  struct Member {
    std::string who;
    const RoomOfTest* room;
    bool talks;
    ChildProcess process;
  };
  std::vector<Member> members;
  for (const RoomOfTest& room : kRooms) {
    for (const bool talks : {true, false}) {
      ClientSpec spec;
      spec.name = room.name + (talks ? "-talker" : "-viewer");
      spec.video = "test:solid:" + room.rrggbb;
      spec.size = "60x20";
      spec.duration = kDuration;
      spec.save_last_frame = dir.file(spec.name + ".frame");
      spec.extra_args = {
          "--room",      room.name,
          "--audio",     talks ? "sine:" + std::to_string(int(room.tone_hz)) : "none",
          "--audio-out", "file:" + dir.file(spec.name + ".wav")};
      members.push_back({spec.name, &room, talks,
                         start_client(server.port(), spec, dir.file(spec.name + ".stderr"))});
    }
  }
  ASSERT_TRUE(server.wait_for_stderr("joined as participant", members.size(), 20s))
      << server.stderr_text();

  // While everyone is in: exactly the three rooms, largest first, then by name.
  const RoomsRun listed = run_rooms(dir, {address(server.port())});
  ASSERT_TRUE(listed.status) << "ttycall rooms did not end";
  EXPECT_TRUE(listed.status->success()) << listed.status->describe() << "; " << listed.err;
  EXPECT_EQ(listed.out, "blue\t2\ngreen\t2\nred\t2\n");

  for (Member& m : members) {
    const std::optional<ExitStatus> status = m.process.wait_for(std::chrono::seconds(30));
    ASSERT_TRUE(status) << m.who << " did not end after its --duration";
    EXPECT_TRUE(status->success()) << m.who << ": " << status->describe() << "; stderr:\n"
                                   << read_file_or_empty(dir.file(m.who + ".stderr"));
  }
  if (HasFatalFailure()) return;

  for (const Member& m : members) {
    SCOPED_TRACE(m.who);
    // Sight: the room's own colour, and not a cell of another room's.
    const std::optional<std::string> bytes = read_file(dir.file(m.who + ".frame"));
    ASSERT_TRUE(bytes) << "no frame saved";
    const ParsedFrame frame = parse_frame(*bytes, 60, 20);
    SCOPED_TRACE("the frame " + m.who + " saw:\n" + sketch(frame));
    EXPECT_GE(region_of(frame, m.room->hue).cells, 60 * 20 / 10) << "its own room is missing";
    for (const RoomOfTest& other : kRooms) {
      if (&other == m.room) continue;
      EXPECT_EQ(region_of(frame, other.hue).cells, 0) << "it sees room " << other.name;
    }
    // Hearing: the viewer hears its room's talker; nobody hears another room (and the
    // talker, alone with a silent viewer, hears nothing at all).
    const Recording rec = read_recording(dir.file(m.who + ".wav"));
    std::vector<double> heard, not_heard;
    for (const RoomOfTest& room : kRooms) {
      (&room == m.room && !m.talks ? heard : not_heard).push_back(room.tone_hz);
    }
    if (!m.talks) {
      ASSERT_GT(rec.seconds(), kSkipSeconds + 4) << "the recording is too short";
    }
    if (rec.seconds() > kSkipSeconds) expect_recording(m.who, rec, heard, not_heard);
  }
  const std::optional<ExitStatus> stopped = server.terminate(15s);
  ASSERT_TRUE(stopped);
  EXPECT_TRUE(stopped->success()) << stopped->describe() << "; " << server.stderr_text();
}

// A client the server refuses to let in: one line saying why, a non-zero exit, no retries.
void expect_refused(const TempDir& dir, uint16_t port, const std::string& who,
                    const std::vector<std::string>& extra_args, const std::string& says) {
  SCOPED_TRACE(who);
  ClientSpec spec;
  spec.name = who;
  spec.video = "none";
  spec.duration = 60;  // refused long before
  spec.extra_args = extra_args;
  spec.extra_args.insert(spec.extra_args.end(), {"--audio", "none"});
  ChildProcess client = start_client(port, spec, dir.file(who + ".stderr"));
  const std::optional<ExitStatus> status = client.wait_for(30s);
  ASSERT_TRUE(status) << "the refused client was still running after 30 s";
  EXPECT_TRUE(status->exited && status->code != 0) << status->describe();
  const std::string err = read_file_or_empty(dir.file(who + ".stderr"));
  const std::vector<std::string> lines = message_lines(err);
  ASSERT_EQ(lines.size(), 1u) << "not one line; stderr:\n" << err;
  EXPECT_NE(lines[0].find(says), std::string::npos) << lines[0];
}

TEST(Rooms, RefusedJoinsSayWhyInOneLine) {
  TempDir dir;
  {
    std::ofstream file(dir.file("rooms.txt"));
    file << "# the rooms of this test\n"
            "lobby\n"
            "small max=1\n"
            "locked password=sesame\n";
  }
  ServerProcess server({"--rooms", dir.file("rooms.txt")}, dir.file("server.stderr"));
  const uint16_t port = server.port();

  expect_refused(dir, port, "lost", {"--room", "nowhere"}, "there is no room 'nowhere' here");
  // The positional address names the room too (and wins over --host/--port).
  expect_refused(dir, port, "lost-too", {address(port, "attic")}, "there is no room 'attic'");

  ClientSpec first;
  first.name = "first";
  first.video = "none";
  first.duration = 60;
  first.extra_args = {"--room", "small", "--audio", "none"};
  ChildProcess occupant = start_client(port, first, dir.file("first.stderr"));
  ASSERT_TRUE(server.wait_for_stderr("first joined as participant", 1, 20s))
      << server.stderr_text();
  expect_refused(dir, port, "second", {"--room", "small"}, "room 'small' is full");

  expect_refused(dir, port, "forgetful", {"--room", "locked"},
                 "room 'locked' needs a password: connect with --room-password");

  // The right password, and the default room, let in.
  ClientSpec friend_spec;
  friend_spec.name = "friend";
  friend_spec.video = "none";
  friend_spec.duration = 60;
  friend_spec.extra_args = {"--room",  "locked", "--room-password", "sesame",
                            "--audio", "none",   "--server-key",    server.server_key()};
  ChildProcess friend_client = start_client(port, friend_spec, dir.file("friend.stderr"));
  ClientSpec visitor = friend_spec;
  visitor.name = "visitor";
  visitor.extra_args = {"--audio", "none"};
  ChildProcess visitor_client = start_client(port, visitor, dir.file("visitor.stderr"));
  EXPECT_TRUE(server.wait_for_stderr("friend joined as participant 1 of room locked", 1, 20s))
      << server.stderr_text();
  // A wrong room password (after the right one: a wrong one backs its address off a while).
  expect_refused(
      dir, port, "guesser",
      {"--room", "locked", "--room-password", "open sesame", "--server-key", server.server_key()},
      "wrong password for room 'locked'");
  EXPECT_TRUE(server.wait_for_stderr("visitor joined as participant 1 of room lobby", 1, 20s))
      << server.stderr_text();
}

TEST(Rooms, TheServerIsFullAcrossRooms) {
  TempDir dir;
  ServerProcess server({"--max-clients", "1"}, dir.file("server.stderr"));
  ClientSpec first;
  first.name = "first";
  first.video = "none";
  first.duration = 60;
  first.extra_args = {"--room", "one", "--audio", "none"};
  ChildProcess occupant = start_client(server.port(), first, dir.file("first.stderr"));
  ASSERT_TRUE(server.wait_for_stderr("first joined as participant", 1, 20s))
      << server.stderr_text();
  expect_refused(dir, server.port(), "second", {"--room", "another"}, "the server is full");
}

TEST(Rooms, ListingIsRefusedUnlessTheServerAllowsIt) {
  TempDir dir;
  ServerProcess server({}, dir.file("server.stderr"));
  const RoomsRun run = run_rooms(dir, {address(server.port())});
  ASSERT_TRUE(run.status) << "ttycall rooms did not end";
  EXPECT_TRUE(run.status->exited && run.status->code != 0) << run.status->describe();
  EXPECT_TRUE(run.out.empty()) << run.out;
  const std::vector<std::string> lines = message_lines(run.err);
  ASSERT_EQ(lines.size(), 1u) << run.err;
  EXPECT_NE(lines[0].find("does not list its rooms"), std::string::npos) << lines[0];
}

// The listing goes through the same Auth as a call: the server's password is needed.
TEST(Rooms, ListingNeedsTheServersPassword) {
  TempDir dir;
  ServerProcess server({"--list-rooms", "--password", "hunter2"}, dir.file("server.stderr"));
  {
    std::ofstream file(dir.file("password.txt"));
    file << "hunter2\n";
  }
  const RoomsRun without = run_rooms(dir, {address(server.port())});
  ASSERT_TRUE(without.status);
  EXPECT_TRUE(without.status->exited && without.status->code != 0) << without.status->describe();
  EXPECT_NE(without.err.find("needs a password"), std::string::npos) << without.err;
  // The right one first: a wrong one backs its address off for a while.
  const RoomsRun right =
      run_rooms(dir, {address(server.port()), "--password-file", dir.file("password.txt"),
                      "--server-key", server.server_key()});
  ASSERT_TRUE(right.status);
  EXPECT_TRUE(right.status->success()) << right.status->describe() << "; " << right.err;
  EXPECT_EQ(right.out, "");
  const RoomsRun wrong = run_rooms(
      dir, {address(server.port()), "--password", "hunter3", "--server-key", server.server_key()});
  ASSERT_TRUE(wrong.status);
  EXPECT_TRUE(wrong.status->exited && wrong.status->code != 0) << wrong.status->describe();
  EXPECT_NE(wrong.err.find("wrong password"), std::string::npos) << wrong.err;
}

TEST(Rooms, AnEmptyServerListsNoRooms) {
  TempDir dir;
  ServerProcess server({"--list-rooms", "--insecure"}, dir.file("server.stderr"));
  const RoomsRun run = run_rooms(dir, {address(server.port()), "--insecure"});
  ASSERT_TRUE(run.status) << "ttycall rooms did not end";
  EXPECT_TRUE(run.status->success()) << run.status->describe() << "; " << run.err;
  EXPECT_EQ(run.out, "");
}

TEST(Rooms, ABadRoomsFileIsAStartupErrorNamingTheLine) {
  TempDir dir;
  {
    std::ofstream file(dir.file("rooms.txt"));
    file << "lobby\nbad max=lots\n";
  }
  ChildProcess server = ChildProcess::start(
      {ttycall_binary(), "server", "--port", "0", "--rooms", dir.file("rooms.txt")}, "/dev/null",
      dir.file("server.stderr"));
  const std::optional<ExitStatus> status = server.wait_for(30s);
  ASSERT_TRUE(status) << "the server did not stop";
  EXPECT_TRUE(status->exited && status->code != 0) << status->describe();
  const std::string err = read_file_or_empty(dir.file("server.stderr"));
  EXPECT_NE(err.find(dir.file("rooms.txt") + ":2: max= must be a number"), std::string::npos)
      << err;
}

TEST(Rooms, AnInvalidRoomNameIsRefusedBeforeConnecting) {
  TempDir dir;
  for (const std::string& room :
       {std::string("a\x1b[31m"), std::string("rtl\xE2\x80\xAE"), std::string(33, 'x')}) {
    ClientSpec spec;
    spec.name = "typo";
    spec.video = "none";
    spec.duration = 60;
    spec.extra_args = {"--room", room, "--audio", "none"};
    ChildProcess client = start_client(1, spec, dir.file("client.stderr"));
    const std::optional<ExitStatus> status = client.wait_for(30s);
    ASSERT_TRUE(status);
    EXPECT_TRUE(status->exited && status->code == 2) << status->describe();
    const std::string err = read_file_or_empty(dir.file("client.stderr"));
    EXPECT_NE(err.find("is not a room name"), std::string::npos) << err;
    EXPECT_EQ(err.find('\x1b'), std::string::npos) << "the name was echoed raw";
  }
}

// `ttycall bench --rooms R` deals its clients out over R rooms in turn: against a server of
// the test's own, `ttycall rooms` sees bench-1 and bench-2 with two clients each.
TEST(Rooms, TheLoadGeneratorSpreadsItsClientsOverTheRooms) {
  TempDir dir;
  ServerProcess server({"--list-rooms", "--max-connections-per-ip", "16"},
                       dir.file("server.stderr"));
  ChildProcess bench = ChildProcess::start(
      {ttycall_binary(), "bench", "--host", "127.0.0.1", "--port", std::to_string(server.port()),
       "--clients", "4", "--rooms", "2", "--size", "40x12", "--warmup", "1", "--duration", "30"},
      dir.file("bench.stdout"), dir.file("bench.stderr"));
  ASSERT_TRUE(server.wait_for_stderr("joined as participant", 4, 30s)) << server.stderr_text();
  const RoomsRun listed = run_rooms(dir, {address(server.port())});
  ASSERT_TRUE(listed.status);
  EXPECT_TRUE(listed.status->success()) << listed.err;
  EXPECT_EQ(listed.out, "bench-1\t2\nbench-2\t2\n");
  EXPECT_NE(server.stderr_text().find("joined as participant 2 of room bench-2"), std::string::npos)
      << server.stderr_text();
  bench.send_signal(SIGINT);  // the window is long; the run only had to get going
  EXPECT_TRUE(bench.wait_for(30s)) << "the bench did not stop on SIGINT";
}

}  // namespace
}  // namespace ttycall::itest
