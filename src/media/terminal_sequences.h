#pragma once
// The escape sequences every frame is wrapped in, defined once: the text renderer writes
// them, and the client, which slips its status line into the server's frame, finds the
// frame's end by them. Composite sequences are joined from their parts at compile time,
// so no sequence is ever spelled twice.
#include <algorithm>
#include <array>
#include <string_view>

namespace ttycall::media::terminal {

// Begin and end synchronized output (DEC private mode 2026): the terminal shows what lies
// between them at once, so a frame never appears half drawn.
inline constexpr std::string_view kSyncBegin = "\x1b[?2026h";
inline constexpr std::string_view kSyncEnd = "\x1b[?2026l";
// SGR 0: the terminal's own colours and attributes again.
inline constexpr std::string_view kResetAttributes = "\x1b[0m";

// kJoined<a, b, ...>: the sequences a, b, ... one after the other, as one string_view.
template <const std::string_view&... kParts>
struct Joined {
  static constexpr std::array<char, (kParts.size() + ...)> kChars = [] {
    std::array<char, (kParts.size() + ...)> chars{};
    auto out = chars.begin();
    ((out = std::copy(kParts.begin(), kParts.end(), out)), ...);
    return chars;
  }();
  static constexpr std::string_view kText{kChars.data(), kChars.size()};
};
template <const std::string_view&... kParts>
inline constexpr std::string_view kJoined = Joined<kParts...>::kText;

// What a frame starts with, and what it ends with: attributes reset (so the next write
// starts from the terminal's defaults), then the synchronized update shown.
inline constexpr std::string_view kFrameBegin = kSyncBegin;
inline constexpr std::string_view kFrameEnd = kJoined<kResetAttributes, kSyncEnd>;

}  // namespace ttycall::media::terminal
