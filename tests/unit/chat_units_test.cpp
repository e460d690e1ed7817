// Chat's parts without a socket: the wire codecs, the server's history ring and unique
// names, the client's input line and panel layout.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "client/chat_input.h"
#include "client/chat_panel.h"
#include "client/chat_seen.h"
#include "net/protocol.h"
#include "server/chat_history.h"
#include "server/unique_name.h"

namespace ttycall {
namespace {

std::vector<uint8_t> encoded(const auto& msg) {
  std::vector<uint8_t> out(4096);
  out.resize(net::encode(msg, out));
  return out;
}

net::ChatMessage message(std::string_view sender, std::string_view text) {
  net::ChatMessage m;
  m.sender_id = 7;
  m.sender = net::Name::from(sender);
  m.time_us = 1'700'000'000'000'000;
  m.text_len = uint16_t(text.size());
  std::copy(text.begin(), text.end(), m.text.begin());
  return m;
}

TEST(ChatProtocol, MessagesRoundTripAndUnsafeTextDoesNotDecode) {
  const net::ChatMessage in = message("alice", "hello \xF0\x9F\x98\x80");
  net::ChatMessage out;
  ASSERT_TRUE(net::decode(encoded(in), out));
  EXPECT_EQ(out.view(), in.view());
  EXPECT_EQ(out.sender.view(), "alice");
  EXPECT_EQ(out.time_us, in.time_us);
  EXPECT_FALSE(net::decode(encoded(message("alice", "bad \x1b[2J")), out));
  EXPECT_FALSE(net::decode(encoded(message("alice", "rtl\xE2\x80\xAE")), out));
  std::vector<uint8_t> bytes = encoded(in);
  bytes.push_back(0);
  EXPECT_FALSE(net::decode(bytes, out)) << "trailing bytes";
  net::ChatMessage flagged = in;
  flagged.flags = 2;
  EXPECT_FALSE(net::decode(encoded(flagged), out)) << "unknown flag";
}

TEST(ChatProtocol, SendCarriesAnyBytesUpToItsLimitForTheServerToJudge) {
  net::ChatSend out;
  ASSERT_TRUE(net::decode(encoded(net::ChatSend::make("x\x1b")), out));
  EXPECT_EQ(out.view(), "x\x1b");
  EXPECT_FALSE(net::decode(std::vector<uint8_t>{0, 0}, out)) << "empty";
  const net::ChatSend longest = net::ChatSend::make(std::string(net::kMaxChatSendBytes, 'a'));
  EXPECT_TRUE(net::decode(encoded(longest), out));
  EXPECT_LE(encoded(longest).size(), net::max_payload(net::MsgType::kChatSend));
  net::ChatRefused refused;
  ASSERT_TRUE(net::decode(encoded(net::ChatRefused::make(net::ChatRefusal::kRateLimited, "slow")),
                          refused));
  EXPECT_EQ(refused.reason, net::ChatRefusal::kRateLimited);
  EXPECT_FALSE(net::decode(std::vector<uint8_t>{9, 0}, refused)) << "unknown reason";
}

TEST(ChatHistory, KeepsTheNewestInOrderAndForgetsTheOldest) {
  server::ChatHistory history(3);
  for (int i = 1; i <= 5; ++i) history.add(message("a", std::to_string(i)));
  EXPECT_EQ(history.size(), 3u);
  EXPECT_EQ(history.oldest_seq(), 3u);
  EXPECT_EQ(history.next_seq(), 6u);
  EXPECT_EQ(history.find(2), nullptr);
  EXPECT_EQ(history.find(3)->view(), "3");
  EXPECT_EQ(history.find(5)->view(), "5");
  EXPECT_EQ(history.find(6), nullptr);
  server::ChatHistory none(0);
  none.add(message("a", "x"));
  EXPECT_EQ(none.size(), 0u);
  EXPECT_EQ(none.find(1), nullptr);
}

TEST(ChatHistory, TimesRiseStrictlyEvenWhenTheClockDoesNot) {
  server::ChatHistory history(3);
  EXPECT_EQ(history.stamp(1000), 1000u);
  EXPECT_EQ(history.stamp(1000), 1001u) << "the same microsecond";
  EXPECT_EQ(history.stamp(500), 1002u) << "the clock stepped back";
  EXPECT_EQ(history.stamp(2000), 2000u);
  server::ChatHistory none(0);  // no history kept, times rise all the same
  EXPECT_EQ(none.stamp(7), 7u);
  EXPECT_EQ(none.stamp(7), 8u);
}

net::ChatMessage at(uint64_t time_us, std::string_view text, bool history) {
  net::ChatMessage m = message("alice", text);
  m.time_us = time_us;
  m.flags = history ? net::kChatHistory : 0;
  return m;
}

TEST(ChatSeen, AReconnectsHistoryIsShownOnlyWhereItIsNew) {
  client::ChatSeen seen;
  // First join: history, then live.
  EXPECT_TRUE(seen.first_time(at(10, "h1", true)));
  EXPECT_TRUE(seen.first_time(at(20, "h2", true)));
  EXPECT_TRUE(seen.first_time(at(30, "live", false)));
  // Reconnected: the history again, with what was said while we were away.
  EXPECT_FALSE(seen.first_time(at(10, "h1", true)));
  EXPECT_FALSE(seen.first_time(at(20, "h2", true)));
  EXPECT_FALSE(seen.first_time(at(30, "live", true)));
  EXPECT_TRUE(seen.first_time(at(40, "while away", true)));
  EXPECT_TRUE(seen.first_time(at(50, "after", false)));
  // A live message is always shown (a server whose clock is behind the last one's).
  EXPECT_TRUE(seen.first_time(at(45, "new server", false)));
  EXPECT_FALSE(seen.first_time(at(45, "new server", true)));
}

TEST(UniqueName, SuffixesATakenNameAndCutsOnACharacterBoundary) {
  std::vector<std::string> taken = {"alice", "alice (2)"};
  const auto is_taken = [&](std::string_view n) {
    return std::find(taken.begin(), taken.end(), n) != taken.end();
  };
  EXPECT_EQ(server::unique_name(net::Name::from("bob"), taken.size(), is_taken).view(), "bob");
  EXPECT_EQ(server::unique_name(net::Name::from("alice"), taken.size(), is_taken).view(),
            "alice (3)");
  const std::string long_name = std::string(29, 'x') + "\xE2\x98\x85";  // 32 bytes
  EXPECT_EQ(server::suffixed_name(net::Name::from(long_name), 2).view(),
            std::string(28, 'x') + " (2)");
}

TEST(ChatInput, TakesTextUntilEnterAndEscapeCancels) {
  client::ChatInput input;
  input.open();
  for (char c : std::string("hi\x01 \xC3\xA9x")) input.key(uint8_t(c));
  EXPECT_EQ(input.key(0x7F), client::ChatInput::Outcome::kTyping);  // removes the x
  EXPECT_EQ(input.text(), "hi \xC3\xA9");
  input.key(0x7F);  // removes the whole é
  EXPECT_EQ(input.text(), "hi ");
  input.key(0xC3);  // half a character: not part of the text yet
  EXPECT_EQ(input.text(), "hi ");
  EXPECT_EQ(input.key('\r'), client::ChatInput::Outcome::kSend);
  EXPECT_EQ(input.key(0x1B), client::ChatInput::Outcome::kCancel);
}

std::string row_text(const std::vector<media::OverlayCell>& overlay, int cols, int row) {
  std::string out;
  for (int c = 0; c < cols; ++c) {
    const uint32_t cp = overlay[size_t(row) * cols + c].codepoint;
    out += cp == 0 ? '.' : cp < 0x80 ? char(cp) : '?';
  }
  return out;
}

TEST(ChatPanel, NewestAtTheBottomWrappedByWidthAndNeverRawText) {
  client::ChatPanel panel;
  panel.add(message("al", "first"));
  panel.add(message("bo", "0123456789abcdefghij"));
  constexpr int kCols = 16, kRows = 8;
  std::vector<media::OverlayCell> overlay(kCols * kRows);
  panel.draw(overlay, kCols, kRows);
  // "HH:MM bo: 0123456789abcdefghij" is 30 cells: two rows of 16; "HH:MM al: first" one.
  EXPECT_EQ(row_text(overlay, kCols, 7).substr(0, 14), "6789abcdefghij");
  EXPECT_EQ(row_text(overlay, kCols, 6).substr(5, 11), " bo: 012345");
  EXPECT_EQ(row_text(overlay, kCols, 5).substr(5, 10), " al: first");
  EXPECT_EQ(row_text(overlay, kCols, 4), std::string(kCols, '.')) << "above the messages";
  panel.toggle();
  EXPECT_FALSE(panel.visible());
  panel.add(message("al", "unseen"));
  EXPECT_EQ(panel.unseen(), 1);
  EXPECT_NE(panel.status_text().find("1 new message"), std::string_view::npos);
  std::vector<media::OverlayCell> hidden(kCols * kRows);
  panel.draw(hidden, kCols, kRows);
  EXPECT_EQ(row_text(hidden, kCols, 7), std::string(kCols, '.'));
}

}  // namespace
}  // namespace ttycall
