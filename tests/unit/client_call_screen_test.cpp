// The status line, stats box and too-small message the client draws around the picture.
#include <gtest/gtest.h>

#include <cctype>
#include <string>

#include "client/call_screen.h"
#include "client/terminal.h"
#include "core/alloc_accounting.h"
#include "core/utf8.h"

namespace ttycall::client {
namespace {

constexpr std::string_view kFrame = "\x1b[?2026h\x1b[1;1Hpicture\x1b[0m\x1b[?2026l";

net::Participants three() {
  net::Participants list;
  list.count = 3;
  list.list[0] = {1, net::kHasVideo | net::kSpeaking, net::Name::from("Ada")};
  list.list[1] = {2, net::kHasVideo | net::kMuted, net::Name::from("Grace")};
  list.list[2] = {3, net::kHasVideo, net::Name::from("Me")};
  return list;
}

std::string text(std::span<const uint8_t> bytes) {
  return {reinterpret_cast<const char*>(bytes.data()), bytes.size()};
}

// What a person sees: the text without escape sequences.
std::string visible(const std::string& s) {
  std::string out;
  for (size_t i = 0; i < s.size(); ++i) {
    if (s[i] != '\x1b') {
      out += s[i];
      continue;
    }
    for (++i; i < s.size() && !(std::isalpha(uint8_t(s[i])) && s[i] != '['); ++i) {
    }
  }
  return out;
}

TEST(CallScreen, StatusLineNamesEveryoneOnTheLastRowInsideTheSameUpdate) {
  CallScreen screen;
  screen.set_size(120, 40);
  screen.set_participants(three(), 3);
  EXPECT_EQ(screen.picture_rows(), 39);
  const std::string out = text(screen.compose(
      {reinterpret_cast<const uint8_t*>(kFrame.data()), kFrame.size()}, ScreenState{}));
  EXPECT_TRUE(out.starts_with("\x1b[?2026h\x1b[1;1Hpicture"));
  EXPECT_TRUE(out.ends_with("\x1b[0m\x1b[?2026l"));
  EXPECT_EQ(out.find("\x1b[?2026l"), out.size() - 8);  // one synchronized update
  EXPECT_NE(out.find("\x1b[40;1H"), std::string::npos);
  for (const char* want : {"Ada", "Grace [muted]", "Me (you)", "q quit", "\u25CF "}) {
    EXPECT_NE(visible(out).find(want), std::string::npos) << want << "\n" << visible(out);
  }
  EXPECT_EQ(out.find("fps"), std::string::npos);  // no stats box unless asked
}

TEST(CallScreen, StatsBoxShowsTheFiguresWhenAsked) {
  CallScreen screen;
  screen.set_size(120, 40);
  screen.set_participants(three(), 3);
  ScreenState state;
  state.show_stats = true;
  state.fps = 29.5;
  state.latency_ms = 12.25;
  state.kbit_per_s = 800;
  state.audio_loss = 0.02;
  const std::string out = text(screen.compose_chrome(state));
  for (const char* want : {"fps", "29.5", "latency", "12.2 ms", "800 kbit/s", "2.0 %"}) {
    EXPECT_NE(out.find(want), std::string::npos) << want << "\n" << out;
  }
}

TEST(CallScreen, OwnMuteAndCameraStateShowAtOnce) {
  CallScreen screen;
  screen.set_size(100, 30);
  screen.set_participants(three(), 3);
  ScreenState state;
  state.muted = true;
  state.video_off = true;
  state.layout = net::ViewLayout::kFocus;
  state.pinned_id = 1;
  const std::string out = text(screen.compose_chrome(state));
  EXPECT_NE(visible(out).find("Me (you) [muted] [no video]"), std::string::npos) << visible(out);
  EXPECT_NE(visible(out).find("[focus: Ada]"), std::string::npos) << visible(out);
}

TEST(CallScreen, NarrowTerminalKeepsNamesAndTheQuitKey) {
  CallScreen screen;
  screen.set_size(44, 12);
  screen.set_participants(three(), 3);
  const std::string out = text(screen.compose_chrome(ScreenState{}));
  EXPECT_NE(out.find("q quit"), std::string::npos) << out;
  EXPECT_NE(out.find("Ada"), std::string::npos) << out;
  EXPECT_EQ(out.find("r render"), std::string::npos) << out;
}

TEST(CallScreen, WideNamesAreMeasuredInCellsSoTheStatusLineFitsItsRow) {
  net::Participants list;
  list.count = 2;
  list.list[0] = {1, net::kHasVideo,
                  net::Name::from("\xE5\xB1\xB1\xE7\x94\xB0\xE5\xA4\xAA\xE9\x83\x8E")};
  list.list[1] = {2, net::kHasVideo, net::Name::from("Zo\xC3\xAB \xF0\x9F\x98\x80")};
  for (int cols : {44, 60, 120}) {
    CallScreen screen;
    screen.set_size(cols, 12);
    screen.set_participants(list, 2);
    const std::string line = visible(text(screen.compose_chrome(ScreenState{})));
    EXPECT_EQ(core::utf8::display_width(line), cols) << line;
  }
}

TEST(CallScreen, TooSmallTerminalGetsAMessage) {
  CallScreen screen;
  screen.set_size(30, 8);
  EXPECT_TRUE(screen.too_small());
  const std::string out = text(screen.compose_too_small());
  EXPECT_NE(out.find("Terminal too small."), std::string::npos);
  EXPECT_NE(out.find("Needs 40x12, is 30x8."), std::string::npos) << out;
  screen.set_size(40, 12);
  EXPECT_FALSE(screen.too_small());
}

TEST(CallScreen, ComposingDoesNotAllocate) {
  CallScreen screen;
  screen.set_size(200, 60);
  screen.set_participants(three(), 3);
  ScreenState state;
  state.show_stats = true;
  const std::string frame(50000, 'x');
  const std::span<const uint8_t> bytes(reinterpret_cast<const uint8_t*>(frame.data()),
                                       frame.size());
  (void)screen.compose(bytes, state);  // the first frame of a size may grow the buffer
  const uint64_t before = core::alloc_accounting::totals().allocs;
  for (int i = 0; i < 100; ++i) {
    state.fps = i;
    (void)screen.compose(bytes, state);
    (void)screen.compose_chrome(state);
  }
  EXPECT_EQ(core::alloc_accounting::totals().allocs, before);
}

TEST(TerminalColors, DetectedFromColortermAndTerm) {
  EXPECT_EQ(detect_color_mode("truecolor", "xterm-256color"), media::ColorMode::kTrueColor);
  EXPECT_EQ(detect_color_mode("24bit", "xterm"), media::ColorMode::kTrueColor);
  EXPECT_EQ(detect_color_mode(nullptr, "xterm-direct"), media::ColorMode::kTrueColor);
  EXPECT_EQ(detect_color_mode(nullptr, "xterm-256color"), media::ColorMode::k256);
  EXPECT_EQ(detect_color_mode("", "screen-256color"), media::ColorMode::k256);
  EXPECT_EQ(detect_color_mode(nullptr, "tmux-256color"), media::ColorMode::k256);
  for (const char* term : {"xterm", "linux", "vt220", "screen", "rxvt-unicode"}) {
    EXPECT_EQ(detect_color_mode(nullptr, term), media::ColorMode::k16) << term;
    EXPECT_EQ(detect_color_mode("", term), media::ColorMode::k16) << term;
  }
  EXPECT_EQ(detect_color_mode(nullptr, "dumb"), media::ColorMode::kNone);
  EXPECT_EQ(detect_color_mode(nullptr, nullptr), media::ColorMode::kNone);
}

}  // namespace
}  // namespace ttycall::client
