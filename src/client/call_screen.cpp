#include "client/call_screen.h"

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <cstring>

#include "core/alloc_accounting.h"
#include "core/utf8.h"
#include "media/terminal_sequences.h"

namespace ttycall::client {
namespace {

using media::terminal::kFrameBegin;
using media::terminal::kFrameEnd;
using media::terminal::kResetAttributes;
// Room for the status line (a few bytes a cell, styles per name) and the stats box.
constexpr size_t kChromeBytes =
    size_t(net::kMaxTerminalCols) * 4 + net::kMaxListedParticipants * 64 + 4096;

using core::utf8::display_width;
using core::utf8::prefix_of_width;

// A participant's name as it may be shown: from the network, so every code point the
// terminal could act on, or that would not take a cell of its own, is U+FFFD.
struct ShownName {
  std::array<char, core::utf8::max_sanitized_size(net::kMaxNameBytes)> bytes;
  size_t size = 0;
  explicit ShownName(std::string_view name) : size(core::utf8::sanitize(name, bytes)) {}
  std::string_view view() const { return {bytes.data(), size}; }
};

const core::AllocSite& screen_site() {
  static const core::AllocSite site("client.screen");
  return site;
}

struct Styles {
  std::string_view bar, speaking, muted, me, box;
};
Styles styles_for(media::ColorMode color) {
  if (color == media::ColorMode::kNone) {
    return {"\x1b[0;7m", "\x1b[0;7;1m", "\x1b[0;7m", "\x1b[0;7;1m", "\x1b[0;7m"};
  }
  if (color == media::ColorMode::k16) {
    return {"\x1b[0;40;37m", "\x1b[0;40;92;1m", "\x1b[0;40;91m", "\x1b[0;40;97;1m",
            "\x1b[0;44;97m"};
  }
  return {"\x1b[0;48;5;236;38;5;252m", "\x1b[0;48;5;236;38;5;46;1m", "\x1b[0;48;5;236;38;5;203m",
          "\x1b[0;48;5;236;38;5;231;1m", "\x1b[0;48;5;17;38;5;231m"};
}

}  // namespace

CallScreen::CallScreen() {
  core::ScopedAllocSite scope(screen_site());
  out_.resize(256 * 1024);
}

void CallScreen::set_size(int cols, int rows) {
  cols_ = cols;
  rows_ = rows;
}

void CallScreen::set_participants(const net::Participants& list, uint32_t my_id) {
  participants_ = list;
  my_id_ = my_id;
}

std::string_view CallScreen::name_of(uint32_t id) const {
  for (int i = 0; i < participants_.count; ++i) {
    if (participants_.list[i].id == id) return participants_.list[i].name.view();
  }
  return {};
}

void CallScreen::append(std::string_view text) {
  const size_t n = std::min(text.size(), out_.size() - size_);
  if (n == 0) return;  // (an empty view may have no data pointer at all)
  std::memcpy(out_.data() + size_, text.data(), n);
  size_ += n;
}

std::span<const uint8_t> CallScreen::compose(std::span<const uint8_t> frame,
                                             const ScreenState& state) {
  if (out_.size() < frame.size() + kChromeBytes) {
    core::ScopedAllocSite scope(screen_site());
    out_.resize(frame.size() + kChromeBytes);  // a larger frame than ever before
  }
  // The frame without its end mark, then our additions, then the end mark: one update.
  std::string_view body(reinterpret_cast<const char*>(frame.data()), frame.size());
  const bool synchronized = body.ends_with(kFrameEnd);
  if (synchronized) body.remove_suffix(kFrameEnd.size());
  size_ = 0;
  append(body);
  append_status(state);
  if (state.show_stats) append_stats(state);
  append(synchronized ? kFrameEnd : kResetAttributes);
  return {out_.data(), size_};
}

std::span<const uint8_t> CallScreen::compose_chrome(const ScreenState& state) {
  size_ = 0;
  append(kFrameBegin);
  append_status(state);
  if (state.show_stats) append_stats(state);
  append(kFrameEnd);
  return {out_.data(), size_};
}

std::span<const uint8_t> CallScreen::compose_too_small() {
  size_ = 0;
  append(kResetAttributes);
  append("\x1b[2J");
  std::array<char, 128> line;
  const auto put_line = [&](int row, std::string_view text) {
    if (row > rows_) return;
    auto r = fmt::format_to_n(line.data(), line.size(), "\x1b[{};1H", row);
    append({line.data(), r.size});
    append(prefix_of_width(text, cols_));
  };
  // Short lines, so that even a tiny terminal shows the point.
  std::array<char, 64> size_text;
  auto r = fmt::format_to_n(size_text.data(), size_text.size(), "Needs {}x{}, is {}x{}.", kMinCols,
                            kMinRows, cols_, rows_);
  put_line(1, "Terminal too small.");
  put_line(2, {size_text.data(), std::min(r.size, size_text.size())});
  put_line(3, "Enlarge it, or press q.");
  return {out_.data(), size_};
}

void CallScreen::append_status(const ScreenState& state) {
  const Styles st = styles_for(state.color);
  std::array<char, 160> buf;
  auto r = fmt::format_to_n(buf.data(), buf.size(), "\x1b[{};1H", rows_);
  append({buf.data(), r.size});
  append(st.bar);

  // The right side: what the view is, and the keys (as much of them as fits).
  std::string_view focus;
  std::array<char, 32 + sizeof(ShownName::bytes)> focus_buf;  // never cut mid-character
  if (state.layout == net::ViewLayout::kFocus) {
    const ShownName pinned(name_of(state.pinned_id));
    auto f = fmt::format_to_n(focus_buf.data(), focus_buf.size(), "[focus: {}] ",
                              state.pinned_id != 0 && pinned.size > 0 ? pinned.view() : "speaker");
    focus = {focus_buf.data(), std::min(f.size, focus_buf.size())};
  }
  constexpr std::string_view kKeysLong =
      "t chat  p panel  m mute  v video  r render  c color  s stats  f focus  g gallery  q quit ";
  constexpr std::string_view kKeysShort = "s stats  f focus  q quit ";
  constexpr std::string_view kKeysShortest = "q quit ";
  // The left side: everyone in join order, a dot that lights up while they speak. Measured
  // first (measure = true), so the keys give way to names on a narrow terminal. Everything
  // put here is either the client's own text or a ShownName, so display_width is never -1
  // and no name can emit a sequence or take other than one or two cells a code point.
  int room = 0;
  int used = 0;
  bool measure = true;
  const auto put = [&](std::string_view style, std::string_view text) {
    if (measure) {
      used += display_width(text);
      return;
    }
    const std::string_view shown = prefix_of_width(text, room);
    if (shown.empty()) return;
    append(style);
    append(shown);
    room -= display_width(shown);
  };
  const auto put_names = [&] {
    put(st.bar, " ");
    for (int i = 0; i < participants_.count; ++i) {
      const net::ParticipantInfo& p = participants_.list[i];
      const bool me = p.id == my_id_;
      const bool speaking = (p.flags & net::kSpeaking) != 0;
      // Our own mute and camera state are known here before the server echoes them.
      const bool muted = me ? state.muted : (p.flags & net::kMuted) != 0;
      const bool no_video = me ? state.video_off : (p.flags & net::kHasVideo) == 0;
      put(speaking ? st.speaking : st.bar, speaking ? "\u25CF " : "\u25CB ");
      put(me ? st.me : st.bar, ShownName(p.name.view()).view());
      if (me) put(st.bar, " (you)");
      if (muted) put(st.muted, " [muted]");
      if (no_video) put(st.muted, " [no video]");
      put(st.bar, "  ");
    }
    // A big room's list holds its first members by gallery order; the rest are a count.
    if (participants_.total > participants_.count) {
      std::array<char, 32> more;
      const auto m = fmt::format_to_n(more.data(), more.size(), "+{} more  ",
                                      participants_.total - participants_.count);
      put(st.bar, {more.data(), std::min(m.size, more.size())});
    }
  };
  if (state.chat_input_open || !state.chat_line.empty()) {
    // Chat takes the status line: the input (typed text, made printable), or a notice.
    std::array<char, core::utf8::max_sanitized_size(net::kMaxChatTextBytes) + 16> line;
    size_t n = 0;
    const std::string_view prompt = state.chat_input_open ? " say: " : " ";
    std::copy(prompt.begin(), prompt.end(), line.begin());
    n = prompt.size();
    n += core::utf8::sanitize(state.chat_line,
                              std::span<char>(line).subspan(n, line.size() - n - 8));
    if (state.chat_input_open) {
      constexpr std::string_view kCursor = "\u2588";  // a block where the next character goes
      std::copy(kCursor.begin(), kCursor.end(), line.begin() + n);
      n += kCursor.size();
    }
    std::string_view shown(line.data(), n);
    // Keep the end in view (where typing happens) when the line is wider than the terminal.
    while (display_width(shown) > cols_ && !shown.empty()) {
      shown.remove_prefix(core::utf8::decode(shown).length);
    }
    append(st.me);
    append(shown);
    for (int pad = display_width(shown); pad < cols_; ++pad) append(" ");
    append(kResetAttributes);
    return;
  }
  put_names();
  std::string_view keys = kKeysShortest;
  for (std::string_view k : {kKeysLong, kKeysShort}) {
    if (used + display_width(focus) + display_width(k) <= cols_) {
      keys = k;
      break;
    }
  }
  const int right_width = std::min(cols_, display_width(focus) + display_width(keys));
  room = cols_ - right_width;
  measure = false;
  put_names();
  for (; room > 0; --room) append(" ");
  append(st.bar);
  append(prefix_of_width(focus, right_width));
  append(prefix_of_width(keys, right_width - display_width(prefix_of_width(focus, right_width))));
  append(kResetAttributes);
}

void CallScreen::append_stats(const ScreenState& state) {
  constexpr int kWidth = 32;
  const int picture = picture_rows();
  if (cols_ < kWidth + 2 || picture < 9) return;
  const Styles st = styles_for(state.color);
  const int col = cols_ - kWidth;  // 1-based column of the box's left edge, one cell margin
  int row = 2;
  std::array<char, 192> buf;
  const auto line = [&]<class... Args>(fmt::format_string<Args...> format, Args&&... args) {
    auto r = fmt::format_to_n(buf.data(), buf.size(), "\x1b[{};{}H", row++, col);
    append({buf.data(), r.size});
    append(st.box);
    std::array<char, 96> text;
    auto t = fmt::format_to_n(text.data(), text.size(), format, std::forward<Args>(args)...);
    const std::string_view shown =
        prefix_of_width({text.data(), std::min(t.size, text.size())}, kWidth - 1);
    append(shown);
    for (int pad = display_width(shown); pad < kWidth - 1; ++pad) append(" ");
  };
  line(" stats  (s hides)");
  line(" fps          {:6.1f}", state.fps);
  line(" latency      {:6.1f} ms", state.latency_ms);
  line(" round trip   {:6.1f} ms", state.rtt_ms);
  line(" bandwidth    {:6.0f} kbit/s", state.kbit_per_s);
  line(" packet loss  {:6.1f} %", state.audio_loss * 100);
  line(" audio delay  {:6.0f} ms", state.audio_delay_ms);
  line(" view         {} {}", media::to_string(state.render), media::to_string(state.color));
  append(kResetAttributes);
}

}  // namespace ttycall::client
