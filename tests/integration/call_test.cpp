// A real call: one `ttycall server` and headless `ttycall client`s over 127.0.0.1. Each
// client saves the last frame its terminal would have shown; the frame is read back into a
// grid of cells and checked for the tiles of every participant.
#include <gtest/gtest.h>
#include <signal.h>

#include <algorithm>
#include <chrono>
#include <climits>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "client_process.h"
#include "frame_parser.h"
#include "json_file.h"
#include "server_process.h"
#include "temp_dir.h"
#include "text_file.h"
#include "tile_colours.h"
#include "wait_until.h"

namespace ttycall::itest {
namespace {

using namespace std::chrono_literals;

// Where " NAME " stands in the frame: row and first column (1-based), or row 0 if absent.
struct Label {
  int row = 0, col = 0;
};
Label find_label(const ParsedFrame& frame, const std::string& name) {
  const std::string needle = " " + name + " ";
  for (int r = 1; r <= frame.rows; ++r) {
    const size_t at = frame.row_ascii(r).find(needle);
    if (at != std::string::npos) return {r, int(at) + 1};
  }
  return {};
}

// ---- Running a call ----

struct Participant {
  ClientSpec spec;
  Hue hue = Hue::kOther;  // the colour of its test:solid video
};

struct CallOutcome {
  std::vector<std::string> frames;           // each client's saved last frame
  std::vector<nlohmann::json> client_stats;  // each client's --stats-json
  nlohmann::json server_stats;
  std::string server_log;
};

// Runs a call of `people` (their save/stats paths are set here) until the server has sent
// `frames_per_viewer` frames for each of them (counted by its stats file, rewritten every
// second), so a slow machine makes the call longer, not shorter of frames. Then it freezes
// the server (SIGSTOP) so that no frame with fewer tiles can be composed while the clients
// leave, stops every client (SIGTERM: it saves its last frame and stats and exits 0), and
// ends the server (SIGTERM: exit 0 means no leak at exit).
// Use with ASSERT_NO_FATAL_FAILURE.
void run_call(const TempDir& dir, std::vector<Participant>& people, int frames_per_viewer,
              CallOutcome& out) {
  const std::string stats_file = dir.file("server.json");
  ServerProcess server({"--fps", "30", "--stats-json", stats_file, "--memory-report-interval", "1",
                        "--memory-report", dir.file("memory.txt")},
                       dir.file("server.stderr"));
  std::vector<ChildProcess> clients;
  for (size_t i = 0; i < people.size(); ++i) {
    ClientSpec& spec = people[i].spec;
    spec.duration = 60;  // a safety net: the test stops them
    spec.save_last_frame = dir.file("client" + std::to_string(i) + ".frame");
    spec.stats_json = dir.file("client" + std::to_string(i) + ".json");
    clients.push_back(
        start_client(server.port(), spec, dir.file("client" + std::to_string(i) + ".stderr")));
  }
  ASSERT_TRUE(server.wait_for_stderr("joined as participant", people.size(), 15s))
      << "not every client joined; server stderr:\n"
      << server.stderr_text();

  // The call itself. At 30 fps it takes frames_per_viewer / 30 s; it may take three times
  // that on a loaded machine (the frame rate is judged by the tests, from the clients' stats).
  const double frames_wanted = double(frames_per_viewer) * double(people.size());
  std::optional<double> frames_sent;
  const auto call_time = std::chrono::milliseconds(frames_per_viewer * 100) + 5s;
  ASSERT_TRUE(wait_until(
      [&] {
        frames_sent = read_json_number(stats_file, "/frames_sent");
        return frames_sent && *frames_sent >= frames_wanted;
      },
      call_time, 100ms))
      << "the server sent " << frames_sent.value_or(0) << " frames in "
      << std::chrono::duration<double>(call_time).count() << " s of the call, not the "
      << frames_wanted << " wanted (" << frames_per_viewer << " for each of " << people.size()
      << " viewers); server stderr:\n"
      << server.stderr_text();

  ASSERT_TRUE(server.process().pause(5s)) << "the server could not be frozen";
  for (size_t i = 0; i < clients.size(); ++i) {
    ASSERT_TRUE(clients[i].running())
        << people[i].spec.name << " ended early: " << clients[i].status()->describe()
        << "; its stderr:\n"
        << read_file_or_empty(dir.file("client" + std::to_string(i) + ".stderr"));
    clients[i].send_signal(SIGTERM);
  }
  for (size_t i = 0; i < clients.size(); ++i) {
    const std::optional<ExitStatus> status = clients[i].wait_for(10s);
    ASSERT_TRUE(status) << people[i].spec.name << " did not exit within 10 s of SIGTERM";
    EXPECT_TRUE(status->success())
        << people[i].spec.name << ": " << status->describe() << "; its stderr:\n"
        << read_file_or_empty(dir.file("client" + std::to_string(i) + ".stderr"));
  }
  server.process().resume();
  const std::optional<ExitStatus> server_status = server.terminate(15s);
  ASSERT_TRUE(server_status) << "the server did not exit within 15 s of SIGTERM";
  out.server_log = server.stderr_text();
  EXPECT_TRUE(server_status->success())
      << "server: " << server_status->describe() << "; its stderr:\n"
      << out.server_log;

  for (const Participant& p : people) {
    const std::optional<std::string> frame = read_file(p.spec.save_last_frame);
    ASSERT_TRUE(frame) << p.spec.name << " saved no frame";
    out.frames.push_back(*frame);
    out.client_stats.push_back(read_json_file(p.spec.stats_json));
  }
  out.server_stats = read_json_file(dir.file("server.json"));
}

Participant solid(const std::string& name, const std::string& rrggbb, Hue hue,
                  const std::string& render, const std::string& color, const std::string& size) {
  Participant p;
  p.spec.name = name;
  p.spec.video = "test:solid:" + rrggbb;
  p.spec.render = render;
  p.spec.color = color;
  p.spec.size = size;
  p.hue = hue;
  return p;
}

// Every participant's colour fills a large, solid rectangle of its own, with its label on
// that rectangle's bottom row.
void expect_three_tiles(const ParsedFrame& frame, const std::vector<Participant>& people,
                        const std::string& viewer) {
  SCOPED_TRACE("the frame " + viewer + " saw:\n" + sketch(frame));
  const int screen = frame.cols * frame.rows;
  std::vector<Region> regions;
  for (const Participant& p : people) {
    const Region region = region_of(frame, p.hue);
    regions.push_back(region);
    SCOPED_TRACE(std::string(name_of(p.hue)) + " (" + p.spec.name + "): " + region.describe());
    // A tile of three in a grid is far more than a tenth of the screen.
    EXPECT_GE(region.cells, screen / 10) << "the tile is missing or small";
    // Solid: the colour fills its bounding box (only the label breaks it).
    EXPECT_GE(region.cells * 10, region.box_area() * 9) << "the colour is not one rectangle";

    const Label label = find_label(frame, p.spec.name);
    ASSERT_NE(label.row, 0) << "no label \" " << p.spec.name << " \" anywhere";
    EXPECT_EQ(label.row, region.bottom) << "the label is not on its tile's bottom row";
    EXPECT_GE(label.col, region.left) << "the label starts left of its tile";
    EXPECT_LE(label.col + int(p.spec.name.size()) + 1, region.right)
        << "the label ends right of its tile";
  }
  for (size_t a = 0; a < regions.size(); ++a) {
    for (size_t b = a + 1; b < regions.size(); ++b) {
      EXPECT_FALSE(regions[a].overlaps(regions[b]))
          << name_of(people[a].hue) << " (" << regions[a].describe() << ") and "
          << name_of(people[b].hue) << " (" << regions[b].describe() << ") are not apart";
    }
  }
}

void expect_well_formed(const ParsedFrame& frame, const std::string& viewer) {
  EXPECT_TRUE(frame.sync_begin) << viewer << ": the frame does not start with ESC[?2026h";
  EXPECT_TRUE(frame.sync_end) << viewer << ": the frame does not end with ESC[?2026l";
  EXPECT_TRUE(frame.problems.empty()) << viewer << ": " << frame.problems.size()
                                      << " problem(s), first: " << frame.problems.front();
  EXPECT_EQ(frame.unwritten_cells(), 0) << viewer << ": cells the frame never wrote";
  EXPECT_EQ(frame.cursor_moves, frame.rows) << viewer << ": one cursor move per row expected";
}

// ---- Tests ----

// The acceptance test: three participants, each a solid colour, and every one of
// them sees all three tiles, labelled, at the full frame rate.
TEST(Call, ThreeParticipantsEachSeeAllThreeTilesInTrueColour) {
  TempDir dir;
  std::vector<Participant> people = {
      solid("Ada", "ff0000", Hue::kRed, "half", "true", "120x40"),
      solid("Grace", "00ff00", Hue::kGreen, "half", "true", "120x40"),
      solid("Linus", "0000ff", Hue::kBlue, "half", "true", "120x40"),
  };
  constexpr int kFrames = 150;  // 5 s at 30 fps
  CallOutcome call;
  ASSERT_NO_FATAL_FAILURE(run_call(dir, people, kFrames, call));

  for (size_t i = 0; i < people.size(); ++i) {
    const std::string& viewer = people[i].spec.name;
    SCOPED_TRACE("viewer " + viewer);
    const ParsedFrame frame = parse_frame(call.frames[i], 120, 40);
    expect_well_formed(frame, viewer);
    EXPECT_GT(frame.colour_sequences, 0);
    expect_three_tiles(frame, people, viewer);

    const nlohmann::json& stats = call.client_stats[i];
    SCOPED_TRACE("client stats: " + stats.dump());
    const double fps = stats.at("fps").get<double>();
    const int64_t frames = stats.at("frames_received").get<int64_t>();
    EXPECT_GE(fps, 20.0) << viewer << " measured " << fps << " fps (" << frames
                         << " frames, from its first frame to its last); the server runs at 30";
    EXPECT_EQ(stats.at("participants_seen").get<int>(), 3);
    EXPECT_GT(stats.at("latency_ms").at("p50").get<double>(), 0.0);
    EXPECT_GT(frames, 60) << viewer << " received " << frames << " frames of about " << kFrames
                          << " sent to it";
  }
  SCOPED_TRACE("server stats: " + call.server_stats.dump());
  EXPECT_EQ(call.server_stats.at("clients_peak").get<int>(), 3);
  EXPECT_EQ(call.server_stats.at("connections").get<int>(), 3);
  EXPECT_EQ(call.server_stats.at("video_frames_rejected").get<int>(), 0);
  EXPECT_GT(call.server_stats.at("video_frames_in").get<int64_t>(), 0);
}

// The focus layout (f in a call; --pin here): the pinned participant fills most of the
// screen, the others are small tiles below it; a viewer in the grid still sees a grid.
TEST(Call, FocusLayoutShowsThePinnedParticipantLarge) {
  TempDir dir;
  std::vector<Participant> people = {
      solid("Ada", "ff0000", Hue::kRed, "half", "true", "120x40"),
      solid("Grace", "00ff00", Hue::kGreen, "half", "true", "120x40"),
      solid("Linus", "0000ff", Hue::kBlue, "half", "true", "120x40"),
  };
  people[0].spec.extra_args = {"--pin", "Linus"};
  CallOutcome call;
  ASSERT_NO_FATAL_FAILURE(run_call(dir, people, 90, call));

  const ParsedFrame focus = parse_frame(call.frames[0], 120, 40);
  expect_well_formed(focus, "Ada");
  SCOPED_TRACE("the frame Ada saw:\n" + sketch(focus));
  const Region big = region_of(focus, Hue::kBlue);
  const Region red = region_of(focus, Hue::kRed);
  const Region green = region_of(focus, Hue::kGreen);
  EXPECT_GE(big.cells, 120 * 40 / 3) << big.describe();
  for (const Region& small : {red, green}) {
    EXPECT_GT(small.cells, 0) << "the others are still shown";
    EXPECT_GT(big.cells, 4 * small.cells) << small.describe();
    EXPECT_GT(small.top, big.bottom) << "the others sit below the large tile";
  }
  EXPECT_NE(find_label(focus, "Linus").row, 0);
  // Grace never asked for focus: her view is the plain grid.
  expect_three_tiles(parse_frame(call.frames[1], 120, 40), people, "Grace");
}

// A camera switched off (v in a call; --camera-off here) leaves the tile with the name only.
TEST(Call, CameraOffShowsTheNameWithoutPicture) {
  TempDir dir;
  std::vector<Participant> people = {
      solid("Ada", "ff0000", Hue::kRed, "half", "true", "120x40"),
      solid("Grace", "00ff00", Hue::kGreen, "half", "true", "120x40"),
  };
  people[1].spec.extra_args = {"--camera-off"};
  CallOutcome call;
  ASSERT_NO_FATAL_FAILURE(run_call(dir, people, 60, call));
  for (size_t i = 0; i < people.size(); ++i) {
    const ParsedFrame frame = parse_frame(call.frames[i], 120, 40);
    SCOPED_TRACE("the frame " + people[i].spec.name + " saw:\n" + sketch(frame));
    EXPECT_GE(region_of(frame, Hue::kRed).cells, 120 * 40 / 10);
    EXPECT_EQ(region_of(frame, Hue::kGreen).cells, 0);
    EXPECT_NE(find_label(frame, "Grace").row, 0) << "the name is still there";
  }
}

// 256-colour mode: the tiles are drawn with indexed colours (SGR 38;5 / 48;5), and each
// solid primary maps to its pure xterm palette entry.
TEST(Call, TwoHundredFiftySixColourModeUsesIndexedColours) {
  TempDir dir;
  std::vector<Participant> people = {
      solid("Ada", "ff0000", Hue::kRed, "half", "256", "100x30"),
      solid("Grace", "00ff00", Hue::kGreen, "half", "256", "100x30"),
      solid("Linus", "0000ff", Hue::kBlue, "half", "256", "100x30"),
  };
  CallOutcome call;
  ASSERT_NO_FATAL_FAILURE(run_call(dir, people, 60, call));

  for (size_t i = 0; i < people.size(); ++i) {
    const std::string& viewer = people[i].spec.name;
    SCOPED_TRACE("viewer " + viewer);
    EXPECT_NE(call.frames[i].find("\x1b[38;5;"), std::string::npos) << "no 38;5 sequence";
    EXPECT_EQ(call.frames[i].find(";2;"), std::string::npos) << "a 24-bit colour in 256 mode";
    const ParsedFrame frame = parse_frame(call.frames[i], 100, 30);
    expect_well_formed(frame, viewer);
    expect_three_tiles(frame, people, viewer);
  }
}

// ascii + no colour: the frame is plain printable ASCII once the cursor moves, the
// synchronized-output brackets and the final attribute reset are taken out.
TEST(Call, AsciiModeWithoutColourIsPlainPrintableText) {
  TempDir dir;
  std::vector<Participant> people = {
      solid("Ada", "ff0000", Hue::kRed, "ascii", "none", "80x24"),
      solid("Grace", "00ff00", Hue::kGreen, "ascii", "none", "80x24"),
  };
  people[1].spec.video = "test:bars";
  CallOutcome call;
  ASSERT_NO_FATAL_FAILURE(run_call(dir, people, 45, call));

  for (size_t i = 0; i < people.size(); ++i) {
    const std::string& viewer = people[i].spec.name;
    SCOPED_TRACE("viewer " + viewer);
    const ParsedFrame frame = parse_frame(call.frames[i], 80, 24);
    expect_well_formed(frame, viewer);
    EXPECT_EQ(frame.colour_sequences, 0) << "a colour in --color none";

    const std::string text = strip_control_sequences(call.frames[i]);
    EXPECT_EQ(text.size(), size_t(80 * 24)) << "one character per cell expected";
    const auto bad =
        std::find_if(text.begin(), text.end(), [](char c) { return c < 0x20 || c > 0x7e; });
    EXPECT_TRUE(bad == text.end()) << "byte " << int(uint8_t(*bad)) << " at offset "
                                   << (bad - text.begin()) << " is not printable ASCII";
    for (const Participant& p : people) {
      EXPECT_NE(find_label(frame, p.spec.name).row, 0) << "no label for " << p.spec.name;
    }
    // Tiles show the camera: a non-blank share of the screen.
    const size_t ink =
        size_t(std::count_if(text.begin(), text.end(), [](char c) { return c != ' '; }));
    EXPECT_GE(ink, text.size() / 10) << "the frame is nearly blank:\n" << text;
  }
}

}  // namespace
}  // namespace ttycall::itest
