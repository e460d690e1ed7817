// No byte from the network reaches the user's terminal as it is: the real client, in a real
// pseudo-terminal, joins a scripted hostile server whose participant names hold escape
// sequences, C1 controls, bidi overrides and zero-width characters. Everything the client
// writes to the terminal is read back and taken apart: only the client's own sequences may
// be in it, and the names must have been drawn, their unsafe parts as U+FFFD.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <poll.h>
#include <pty.h>
#include <sys/ioctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <chrono>
#include <csignal>
#include <cstring>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "core/utf8.h"
#include "media/jpeg_codec.h"
#include "media/jpeg_tables.h"
#include "net/protocol.h"
#include "scripted_server.h"
#include "ttycall_binary.h"

extern char** environ;

namespace ttycall::itest {
namespace {

using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;

constexpr int kCols = 100;
constexpr int kRows = 30;

// What a program run under a pseudo-terminal wrote to it, and how it ended.
struct PtyRun {
  std::string output;
  int status = -1;  // as waitpid() reports it; -1 if it had to be killed
};

// Runs `argv` with a pseudo-terminal of kCols x kRows as its stdin, stdout and stderr and
// TERM=xterm-256color, reading all it writes until it exits or `timeout` passes (then it
// is killed).
PtyRun run_in_pty(const std::vector<std::string>& argv, std::chrono::milliseconds timeout) {
  // Everything the child needs is built before fork(): this process has other threads
  // (the scripted server), so the child may only call async-signal-safe functions.
  std::vector<char*> args;
  for (const std::string& a : argv) args.push_back(const_cast<char*>(a.c_str()));
  args.push_back(nullptr);
  std::vector<std::string> env_strings = {"TERM=xterm-256color"};
  for (char** e = environ; *e != nullptr; ++e) {
    const std::string_view var = *e;
    if (!var.starts_with("TERM=") && !var.starts_with("COLORTERM=")) env_strings.emplace_back(var);
  }
  std::vector<char*> env;
  for (std::string& e : env_strings) env.push_back(e.data());
  env.push_back(nullptr);

  winsize size{};
  size.ws_col = kCols;
  size.ws_row = kRows;
  int master = -1;
  const pid_t pid = ::forkpty(&master, nullptr, nullptr, &size);  // TIOCSWINSZ on the slave
  if (pid < 0) return {"forkpty failed: " + std::string(std::strerror(errno)), -1};
  if (pid == 0) {
    ::execve(args[0], args.data(), env.data());
    ::_exit(127);
  }
  ::ioctl(master, TIOCSWINSZ, &size);  // (again, from this side: the size is the master's too)

  PtyRun run;
  const auto deadline = Clock::now() + timeout;
  std::array<char, 16384> buffer;
  while (Clock::now() < deadline) {
    pollfd p{master, POLLIN, 0};
    if (::poll(&p, 1, 100) <= 0) continue;
    const ssize_t n = ::read(master, buffer.data(), buffer.size());
    if (n > 0) {
      run.output.append(buffer.data(), size_t(n));
    } else if (n == 0 || errno != EINTR) {
      break;  // EIO: every writer of the slave side has gone, the child has exited
    }
  }
  // The slave side closes as the child exits, a moment before it can be reaped.
  int status = 0;
  const auto reap_deadline = std::max(deadline, Clock::now() + 5s);
  bool reaped = false;
  while (!(reaped = ::waitpid(pid, &status, WNOHANG) == pid) && Clock::now() < reap_deadline) {
    std::this_thread::sleep_for(10ms);
  }
  if (reaped) {
    run.status = status;
  } else {
    ::kill(pid, SIGKILL);  // still running at the deadline: the test fails on the status
    ::waitpid(pid, &status, 0);
  }
  ::close(master);
  return run;
}

// --- What the client may write ------------------------------------------------------

// The one kind of escape sequence the client writes: CSI, parameters, final byte. `at`
// is at the ESC; returns the sequence's length, or 0 if it is not a complete CSI.
size_t csi_length(std::string_view s, size_t at) {
  if (at + 1 >= s.size() || s[at + 1] != '[') return 0;
  for (size_t i = at + 2; i < s.size(); ++i) {
    const uint8_t c = uint8_t(s[i]);
    if (c >= 0x40 && c <= 0x7E) return i - at + 1;  // the final byte
    if (c < 0x20 || c > 0x3F) return 0;             // only parameter/intermediate bytes
  }
  return 0;
}

bool all_digits_and_semicolons(std::string_view params) {
  return params.find_first_not_of("0123456789;") == std::string_view::npos;
}

// Exactly what src/client/terminal.cpp, call_screen.cpp, call_view.cpp and
// media/terminal_sequences.h write: cursor moves (H, bare or row;col), SGR (m), a clear
// (2J), synchronized output (?2026h/l), the alternate screen (?1049h/l), the cursor
// (?25l/h) and line wrap (?7l/h).
bool is_clients_own(std::string_view csi) {
  const std::string_view params = csi.substr(2, csi.size() - 3);
  switch (csi.back()) {
    case 'H':
    case 'm':
      return all_digits_and_semicolons(params);
    case 'J':
      return params == "2";
    case 'h':
    case 'l':
      return params == "?2026" || params == "?1049" || params == "?25" || params == "?7";
    default:
      return false;
  }
}

constexpr bool is_bidi_or_zero_width_format(uint32_t cp) {
  return (cp >= 0x202A && cp <= 0x202E) || (cp >= 0x2066 && cp <= 0x2069) ||
         (cp >= 0x200B && cp <= 0x200F) || cp == 0xFEFF || cp == 0x2028 || cp == 0x2029;
}

// Takes the output apart; returns what is wrong with it (empty: nothing) and fills `text`
// with what it shows, sequences left out.
std::string check_output(std::string_view out, std::string& text) {
  for (const std::string_view introducer : {"\x1b]", "\x1bP", "\x1b_", "\x1b^", "\x1bX"}) {
    if (out.find(introducer) != std::string_view::npos) {
      return "holds the introducer ESC " + std::string(1, introducer[1]);
    }
  }
  size_t i = 0;
  while (i < out.size()) {
    if (out[i] == '\x1b') {
      const size_t n = csi_length(out, i);
      if (n == 0) return "an escape that is not a CSI at byte " + std::to_string(i);
      const std::string_view csi = out.substr(i, n);
      if (!is_clients_own(csi))
        return "a CSI the client does not write: ESC" + std::string(csi.substr(1));
      i += n;
      continue;
    }
    const core::utf8::Decoded d = core::utf8::decode(out.substr(i));
    if (d.length == 0) return "ill-formed UTF-8 (a raw C1 byte?) at byte " + std::to_string(i);
    const uint32_t cp = d.code_point;
    if (cp >= 0x80 && cp <= 0x9F) return "a C1 control at byte " + std::to_string(i);
    if (core::utf8::is_control(cp) && cp != '\r' && cp != '\n') {
      return "control character " + std::to_string(cp) + " at byte " + std::to_string(i);
    }
    if (is_bidi_or_zero_width_format(cp)) {
      return "bidi or zero-width format character at byte " + std::to_string(i);
    }
    text.append(out.substr(i, d.length));
    i += d.length;
  }
  return "";
}

// --- The hostile names ---------------------------------------------------------------

net::ParticipantInfo person(uint32_t id, std::string_view name) {
  return {id, net::kHasVideo, raw_name(name)};
}

// Names with C0 and C1 controls and bytes that are not UTF-8. The protocol decoder refuses
// such a list as a whole; it goes first, so if it ever got past, the test would see it.
net::Participants controls_list() {
  net::Participants list;
  const std::string_view names[] = {
      "x",
      "\x1b]52;c;aGk=\x07",  // OSC 52: write the clipboard
      "\x1bP1$qm\x1b\\",     // DCS: a request the terminal answers
      "\x1b[2Jwipe",         // CSI: clear the screen
      "\xc2\x9b"
      "2J",  // CSI as a C1 control
      "\x9b"
      "31m",             // CSI as a raw 8-bit byte
      "\x1b_apc\x1b\\",  // APC
  };
  for (std::string_view name : names) {
    list.list[list.count] = person(uint32_t(list.count + 1), name);
    ++list.count;
  }
  return list;
}

// Names the protocol decoder lets through (well-formed, no controls) that still must not
// reach the terminal as they are: bidi overrides and isolates, zero-width characters, a
// BOM, combining marks, a tag character, a noncharacter.
net::Participants format_list() {
  net::Participants list;
  const std::string_view names[] = {
      "x",
      "\xe2\x80\xae"
      "evil",  // RLO U+202E
      "a\xe2\x80\x8d"
      "b",  // ZWJ U+200D
      "\xe2\x80\x8b"
      "zwsp",  // ZWSP U+200B
      "\xe2\x81\xa6"
      "iso\xe2\x81\xa9",    // LRI U+2066 ... PDI U+2069
      "e\xcc\x81\xcc\x81",  // stacked combining acute accents
      "\xef\xbb\xbf"
      "bom",                  // BOM U+FEFF
      "tag\xf3\xa0\x81\x81",  // tag U+E0041
      "\xef\xbf\xbf"
      "non",  // noncharacter U+FFFF
  };
  for (std::string_view name : names) {
    list.list[list.count] = person(uint32_t(list.count + 1), name);
    ++list.count;
  }
  return list;
}

// --- Hostile tile labels ---------------------------------------------------------------

// A VideoDown packet: a grey picture of the client's view (kCols x (kRows - 1), the last
// row is its status line) and one label per name, a row each.
std::vector<uint8_t> frame_with_labels(uint32_t number,
                                       const std::vector<std::string_view>& names) {
  constexpr int kPictureRows = kRows - 1;
  std::vector<uint8_t> rgb(size_t(kCols) * kPictureRows * 2 * 3, 90);
  media::JpegEncoder encoder(media::picture_jpeg_options(80));
  std::vector<uint8_t> jpeg(
      media::JpegEncoder::max_size(kCols, kPictureRows * 2, media::ChromaSubsampling::k444));
  jpeg.resize(encoder.encode({rgb.data(), kCols, kPictureRows * 2, kCols * 3}, jpeg));
  const media::StrippedJpeg stripped = media::strip_tables(jpeg, jpeg);  // as the server sends
  jpeg.resize(stripped.size);
  net::VideoDownHeader header;
  header.quality = 80;
  header.tables_hash = stripped.tables_hash;
  header.frame_number = number;
  header.cols = kCols;
  header.rows = kPictureRows;
  for (std::string_view name : names) {
    header.labels[header.label_count] = {0, uint16_t(2 * header.label_count), 40, net::kLabelPlain,
                                         raw_name(name)};
    ++header.label_count;
  }
  std::vector<uint8_t> packet(net::kHeaderSize + net::max_payload(net::MsgType::kVideoDown));
  const size_t fixed = net::encode(header, {packet.data() + net::kHeaderSize, packet.size()});
  std::copy(jpeg.begin(), jpeg.end(), packet.begin() + long(net::kHeaderSize + fixed));
  const std::span<const uint8_t> payload(packet.data() + net::kHeaderSize, fixed + jpeg.size());
  net::write_header(net::MsgType::kVideoDown, payload,
                    std::span<uint8_t, net::kHeaderSize>(packet.data(), net::kHeaderSize));
  packet.resize(net::kHeaderSize + payload.size());
  return packet;
}

// Sends frames whose labels hold escape sequences (the decoder refuses such a frame
// whole), then frames whose labels hold what the decoder lets through but the terminal
// must not get: bidi overrides, zero-width and format characters.
void send_hostile_frames(ScriptedServer& server) {
  server.send_packet(frame_with_labels(1, {"\x1b[2Jlabelwipe", "\x1b]52;c;aGk=\x07"}));
  for (uint32_t n = 2; n < 5; ++n) {
    server.send_packet(frame_with_labels(n, {"\xe2\x80\xae"
                                             "lbl1",
                                             "q\xe2\x80\x8d"
                                             "lbl2",
                                             "\xe2\x81\xa6"
                                             "lbl3"}));
  }
}

TEST(TerminalEscape, HostileNamesNeverReachTheTerminalAsTheyAre) {
  ServerScript script;
  script.welcome = {1, 15};
  script.participant_lists = {controls_list(), format_list()};
  script.lifetime = 30s;
  script.after_join = send_hostile_frames;
  ScriptedServer server(std::move(script));

  const PtyRun run =
      run_in_pty({ttycall_binary(), "client", "--insecure", "--host", "127.0.0.1", "--port",
                  std::to_string(server.port()), "--name", "x", "--video", "test:bars", "--audio",
                  "none", "--audio-out", "null", "--duration", "4"},
                 30s);
  server.stop();

  ASSERT_TRUE(WIFEXITED(run.status)) << "the client did not exit by itself\n" << run.output;
  EXPECT_EQ(WEXITSTATUS(run.status), 0) << run.output;
  EXPECT_TRUE(server.joined());
  EXPECT_TRUE(server.client_said_bye());

  std::string shown;
  const std::string problem = check_output(run.output, shown);
  EXPECT_EQ(problem, "") << run.output;

  // The client did draw the names: the safe parts, and U+FFFD where the rest was.
  for (const char* want : {"x (you)", "\uFFFDevil", "a\uFFFDb", "\uFFFDzwsp", "\uFFFDiso\uFFFD",
                           "e\uFFFD\uFFFD", "\uFFFDbom", "tag\uFFFD", "\uFFFDnon"}) {
    EXPECT_NE(shown.find(want), std::string::npos) << want << "\n" << shown;
  }
  // The tile labels too, drawn by the client over the picture.
  for (const char* want : {"\uFFFDlbl1", "q\uFFFDlbl2", "\uFFFDlbl3"}) {
    EXPECT_NE(shown.find(want), std::string::npos) << want << "\n" << shown;
  }
  // And nothing of the list or the frame the decoder refused.
  EXPECT_EQ(shown.find("labelwipe"), std::string::npos) << shown;
  EXPECT_EQ(shown.find("wipe"), std::string::npos) << shown;
  EXPECT_EQ(shown.find("52;c;"), std::string::npos) << shown;
}

TEST(TerminalEscape, TheCheckCatchesWhatItLooksFor) {
  // The checker itself, on streams that must fail: otherwise the test above proves nothing.
  std::string shown;
  EXPECT_EQ(
      check_output("\x1b[?1049h\x1b[2J\x1b[H\x1b[30;1H\x1b[0;48;5;236mok\x1b[?2026l\r\n", shown),
      "");
  EXPECT_EQ(shown, "ok\r\n");
  for (std::string_view bad : {"\x1b]52;c;aGk=\x07", "\x1bP1$qm\x1b\\", "\x1b_x\x1b\\",
                               "\x1b^x\x1b\\", "\x1bXx\x1b\\", "\x1b[6n", "\x1b[?1000h", "\x1b[3J",
                               "\x1b"
                               "c",
                               "\xc2\x9b"
                               "2J",
                               "\x9b"
                               "2J",
                               "\xe2\x80\xae"
                               "x",
                               "a\xe2\x80\x8d"
                               "b",
                               "\xe2\x80\x8b", "\x07", "\x1b[2J\x1b"}) {
    EXPECT_NE(check_output(bad, shown), "") << bad;
  }
}

}  // namespace
}  // namespace ttycall::itest
