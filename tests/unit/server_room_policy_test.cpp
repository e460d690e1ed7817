// Specification of the rooms file and the room policy (src/server/room_policy.h).
#include "server/room_policy.h"

#include <gtest/gtest.h>

namespace ttycall::server {
namespace {

core::Result<std::vector<RoomSpec>> parse(std::string_view text, int max_room_size = 64) {
  return parse_rooms_file(text, "rooms.txt", max_room_size);
}

std::string error_of(std::string_view text, int max_room_size = 64) {
  const core::Result<std::vector<RoomSpec>> rooms = parse(text, max_room_size);
  EXPECT_FALSE(rooms.is_ok()) << text;
  return rooms.is_ok() ? "" : rooms.status().message();
}

TEST(RoomsFile, ListsRoomsWithTheirPasswordsAndLimits) {
  core::Result<std::vector<RoomSpec>> rooms = parse(
      "# our rooms\n"
      "\n"
      "standup\n"
      "  board   password=s3cret  max=8  \n"
      "\xC3\xA9quipe max=2 password=x=y\n");
  ASSERT_TRUE(rooms.is_ok()) << rooms.status().message();
  ASSERT_EQ(rooms->size(), 3u);
  EXPECT_EQ((*rooms)[0].name, "standup");
  EXPECT_EQ((*rooms)[0].password, "");
  EXPECT_EQ((*rooms)[0].max_members, 0);  // the server's --max-room-size
  EXPECT_EQ((*rooms)[1].name, "board");
  EXPECT_EQ((*rooms)[1].password, "s3cret");
  EXPECT_EQ((*rooms)[1].max_members, 8);
  EXPECT_EQ((*rooms)[2].name, "\xC3\xA9quipe");
  EXPECT_EQ((*rooms)[2].password, "x=y");  // only the first '=' splits
  EXPECT_EQ((*rooms)[2].max_members, 2);
}

TEST(RoomsFile, EveryMistakeNamesItsLine) {
  EXPECT_EQ(error_of("ok\nok\n"), "rooms.txt:2: room 'ok' again");
  EXPECT_EQ(error_of("a\nb colour=red\n"),
            "rooms.txt:2: unknown field 'colour=red' (a room line is NAME [password=PASSWORD] "
            "[max=N])");
  EXPECT_EQ(error_of("a password=\n").substr(0, 12), "rooms.txt:1:");  // an empty password
  EXPECT_EQ(error_of("a\n\nb max\n").substr(0, 12), "rooms.txt:3:");
  for (const char* max : {"max=0", "max=65", "max=-1", "max=8x", "max="}) {
    EXPECT_EQ(error_of(std::string("a ") + max),
              "rooms.txt:1: max= must be a number from 1 to 64 (the server's --max-room-size)")
        << max;
  }
  EXPECT_EQ(error_of("a max=9", 8),
            "rooms.txt:1: max= must be a number from 1 to 8 (the server's --max-room-size)");
  const std::string long_name = error_of(std::string(33, 'x') + "\n");
  EXPECT_EQ(long_name.substr(0, 12), "rooms.txt:1:");
  EXPECT_NE(long_name.find("is not a room name"), std::string::npos);
  // A bidi override in a name is refused, and the message does not carry it raw.
  const std::string bidi = error_of("ok\nevil\xE2\x80\xAEgnp\n");
  EXPECT_EQ(bidi.substr(0, 12), "rooms.txt:2:");
  EXPECT_EQ(bidi.find("\xE2\x80\xAE"), std::string::npos);
  EXPECT_EQ(error_of("# only comments\n\n"), "rooms.txt: lists no rooms");
}

TEST(RoomPolicy, OpenAllowsAnyRoomWithTheServersLimit) {
  const RoomPolicy policy = RoomPolicy::open(12);
  EXPECT_TRUE(policy.is_open());
  EXPECT_FALSE(policy.has_passwords());
  for (const char* name : {"lobby", "anything", "\xE4\xBC\x9A\xE8\xAD\xB0"}) {
    const RoomPolicy::Rule* rule = policy.find(name);
    ASSERT_NE(rule, nullptr) << name;
    EXPECT_EQ(rule->max_members, 12);
    EXPECT_FALSE(rule->password);
  }
}

TEST(RoomPolicy, ListedAllowsOnlyItsRoomsEachWithItsRule) {
  net::ensure_sodium();
  const std::array<uint8_t, net::kSaltBytes> salt{1, 2, 3};
  core::Result<RoomPolicy> policy =
      RoomPolicy::listed({{"lobby", "", 0}, {"board", "pw", 3}}, salt, 10);
  ASSERT_TRUE(policy.is_ok()) << policy.status().message();
  EXPECT_FALSE(policy->is_open());
  EXPECT_TRUE(policy->has_passwords());
  EXPECT_EQ(policy->find("nowhere"), nullptr);
  EXPECT_EQ(policy->find("Lobby"), nullptr);  // names are compared as bytes
  const RoomPolicy::Rule* lobby = policy->find("lobby");
  ASSERT_NE(lobby, nullptr);
  EXPECT_EQ(lobby->max_members, 10);
  EXPECT_FALSE(lobby->password);
  const RoomPolicy::Rule* board = policy->find("board");
  ASSERT_NE(board, nullptr);
  EXPECT_EQ(board->max_members, 3);
  ASSERT_TRUE(board->password);
  // The key is the password's, derived with the announced salt (as a client derives it).
  const std::optional<net::PasswordKey> same = net::PasswordKey::derive("pw", salt);
  const net::TranscriptHash transcript{9};
  EXPECT_EQ(board->password->room_proof(transcript, "board"),
            same->room_proof(transcript, "board"));
}

TEST(RoomPolicy, FromOptionReadsAFileOrIsOpen) {
  const std::array<uint8_t, net::kSaltBytes> salt{};
  EXPECT_TRUE(RoomPolicy::from_option("open", salt, 64)->is_open());
  const core::Result<RoomPolicy> missing = RoomPolicy::from_option("/nonexistent/rooms", salt, 64);
  ASSERT_FALSE(missing.is_ok());
  EXPECT_EQ(missing.status().message(), "--rooms: cannot read /nonexistent/rooms");
}

}  // namespace
}  // namespace ttycall::server
