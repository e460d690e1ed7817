// The status line, stats box and too-small message the client draws around the picture.
#include <gtest/gtest.h>

#include <algorithm>
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

TEST(CallScreen, ABigRoomShowsItsListedNamesThenHowManyMore) {
  CallScreen screen;
  screen.set_size(160, 40);
  net::Participants list = three();
  list.total = 1000;  // the list holds the first three by gallery order
  screen.set_participants(list, 3);
  const std::string line = visible(text(screen.compose_chrome(ScreenState{})));
  EXPECT_NE(line.find("Ada"), std::string::npos) << line;
  EXPECT_NE(line.find("+997 more"), std::string::npos) << line;
  // A list of everyone says nothing more.
  screen.set_participants(three(), 3);
  EXPECT_EQ(visible(text(screen.compose_chrome(ScreenState{}))).find("more"), std::string::npos);
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

// A name as a hostile server could send it: raw bytes, not cleaned by Name::from.
net::Name raw_name(std::string_view bytes) {
  net::Name name;
  name.len = uint8_t(std::min(bytes.size(), name.bytes.size()));
  std::copy_n(bytes.begin(), name.len, name.bytes.begin());
  return name;
}

net::Participants hostile() {
  const std::string_view names[] = {
      "\x1b]52;c;aGk=\x07",  // OSC 52: write the clipboard
      "\x1bP$q\x1b\\",       // DCS
      "\x1b[2Jwipe",         // CSI: clear the screen
      "\xC2\x9B"
      "2J",  // CSI as a C1 control
      "\xE2\x80\xAE"
      "evil",  // RLO
      "a\xE2\x80\x8D\xE2\x80\x8D\xE2\x80\x8D"
      "b",                                                 // ZWJs
      "\xE2\x80\x8B\xE2\x80\x8B\xE2\x80\x8B\xE2\x80\x8B",  // ZWSPs
      "e\xCC\x81\xCC\x81\xCC\x81",                         // stacked combining marks
      "\xEF\xBB\xBF\xE2\x81\xA6\xE2\x80\xA8\xFF",          // BOM, LRI, line separator, a bad byte
      "\x9B"
      "31m",  // CSI as a raw byte
  };
  net::Participants list;
  for (std::string_view name : names) {
    list.list[list.count] = {uint32_t(list.count + 1), net::kHasVideo, raw_name(name)};
    ++list.count;
  }
  return list;
}

// Every escape sequence in `out` is one the client writes itself: cursor moves, SGR, the
// synchronized-output marks and a clear. Returns the first one that is not, or "".
std::string foreign_sequence(const std::string& out) {
  for (size_t i = out.find('\x1b'); i != std::string::npos; i = out.find('\x1b', i + 1)) {
    if (i + 1 >= out.size() || out[i + 1] != '[') return out.substr(i, 8);
    size_t end = i + 2;
    while (end < out.size() &&
           ((out[end] >= '0' && out[end] <= '9') || out[end] == ';' || out[end] == '?')) {
      ++end;
    }
    if (end >= out.size()) return out.substr(i);
    const std::string params = out.substr(i + 2, end - i - 2);
    const char final = out[end];
    const bool digits = params.find('?') == std::string::npos;
    const bool ok = (final == 'H' && digits) || (final == 'm' && digits) ||
                    (final == 'J' && params == "2") ||
                    ((final == 'h' || final == 'l') && params == "?2026");
    if (!ok) return out.substr(i, end - i + 1);
  }
  return "";
}

// The status row as a person sees it: from its cursor move to the end of the output.
std::string status_row(const std::string& out, int rows) {
  const std::string move = "\x1b[" + std::to_string(rows) + ";1H";
  const size_t at = out.rfind(move);
  return at == std::string::npos ? "" : visible(out.substr(at + move.size()));
}

TEST(CallScreen, HostileNamesCanNeitherEmitSequencesNorShiftTheLayout) {
  for (int cols : {40, 80, 200, 1000}) {
    for (bool focus : {false, true}) {
      CallScreen screen;
      screen.set_size(cols, 24);
      screen.set_participants(hostile(), 5);
      ScreenState state;
      if (focus) {
        state.layout = net::ViewLayout::kFocus;
        state.pinned_id = 1;  // the OSC 52 name, in "[focus: ...]"
      }
      for (const std::string& out :
           {text(screen.compose_chrome(state)),
            text(screen.compose({reinterpret_cast<const uint8_t*>(kFrame.data()), kFrame.size()},
                                state))}) {
        EXPECT_EQ(foreign_sequence(out), "") << cols;
        ASSERT_TRUE(core::utf8::is_valid(out));  // so no raw 0x9B either
        const std::string row = status_row(out, 24);
        ASSERT_FALSE(row.empty());
        // Only code points that take a cell of their own: no controls (C1 CSI among them),
        // no bidi controls, no zero-width characters.
        for (std::string_view rest = row; !rest.empty();) {
          const core::utf8::Decoded d = core::utf8::decode(rest);
          ASSERT_TRUE(core::utf8::is_displayable(d.code_point)) << std::hex << d.code_point;
          rest.remove_prefix(d.length);
        }
        EXPECT_EQ(core::utf8::display_width(row), cols) << row;
      }
    }
  }
}

TEST(CallScreen, HostileNamesShowAsReplacementCharactersBesideTheirSafeParts) {
  CallScreen screen;
  screen.set_size(1000, 24);
  screen.set_participants(hostile(), 5);
  const std::string row = status_row(text(screen.compose_chrome(ScreenState{})), 24);
  for (const char* want :
       {"\uFFFD]52;c;aGk=\uFFFD", "\uFFFD[2Jwipe", "\uFFFD2J", "\uFFFDevil (you)",
        "a\uFFFD\uFFFD\uFFFDb", "\uFFFD\uFFFD\uFFFD\uFFFD", "e\uFFFD\uFFFD\uFFFD", "\uFFFD31m"}) {
    EXPECT_NE(row.find(want), std::string::npos) << want << "\n" << row;
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
