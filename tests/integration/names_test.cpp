// Names (issue 16): a name that could fake "(you)" or misalign the screen (bidi controls,
// zero-width and format characters, separators, tags) is refused at Hello with a reason of
// its own; a name already taken in the room gets a suffix that everyone sees, and the
// joining client learns its final name. Over 127.0.0.1, with the real server, and with a
// well-behaved call beside them whose frames and voice are counted at the end.
#include <gtest/gtest.h>

#include <chrono>
#include <optional>
#include <string>
#include <vector>

#include "client_process.h"
#include "raw_connection.h"
#include "server_process.h"
#include "temp_dir.h"
#include "text_file.h"
#include "wait_until.h"
#include "well_behaved_call.h"

namespace ttycall::itest {
namespace {

using namespace std::chrono_literals;

// Says Hello as `name` (bytes as given) after the key exchange; the Bye that ends it.
std::optional<net::Bye> bye_for_name(uint16_t port, const std::string& name) {
  RawConnection c(port);
  if (!c.key_exchange(net::Identity::generate())) return std::nullopt;
  net::Hello hello;
  hello.cols = 80;
  hello.rows = 23;
  hello.name.len = uint8_t(name.size());
  std::copy(name.begin(), name.end(), hello.name.bytes.begin());
  if (!c.send_message(net::MsgType::kHello, hello)) return std::nullopt;
  net::Bye bye;
  bye.reason = net::ByeReason::kNormal;
  if (!c.wait_closed(10s, &bye)) return std::nullopt;
  return bye;
}

// The well-behaved pair in these calls, named apart from the names under test.
const WellBehavedNames kGoodNames{"wendy", "walt"};

// The names in the newest participant list `c` receives with `count` entries, wendy and
// walt left out (they join together, in either order).
std::vector<std::string> names_once(RawConnection& c, int count) {
  const auto deadline = std::chrono::steady_clock::now() + 10s;
  while (std::chrono::steady_clock::now() < deadline) {
    const auto packet = c.read_packet(5s);
    if (!packet) break;
    if (packet->header.type != net::MsgType::kParticipants) continue;
    net::Participants list;
    if (!net::decode(packet->payload, list) || list.count != count) continue;
    std::vector<std::string> names;
    for (int i = 0; i < list.count; ++i) {
      const std::string_view name = list.list[i].name.view();
      if (name != kGoodNames.viewer && name != kGoodNames.talker) names.emplace_back(name);
    }
    return names;
  }
  return {};
}

TEST(Names, CharactersThatFakeOrMisalignAreRefusedAtHelloWithAReason) {
  TempDir dir;
  ServerProcess server({}, dir.file("server.stderr"));
  WellBehavedCall good(server, dir, {}, kGoodNames);
  ASSERT_TRUE(good.joined()) << server.stderr_text();
  struct Case {
    std::string name;
    std::string says;
  };
  const std::vector<Case> cases = {
      {"eve\xE2\x80\xAE)uoy(", "bidirectional"},  // U+202E: would show "eve(you)"
      {"eve\xE2\x81\xA6x", "bidirectional"},      // U+2066, an isolate
      {"e\xE2\x80\x8Bve", "invisible"},           // zero-width space
      {"eve\xE2\x80\xA8", "separator"},           // line separator
      {"eve\xF3\xA0\x80\x81", "tag"},             // U+E0001
      {"\xEF\xBB\xBF"
       "eve",
       "invisible"},  // BOM
  };
  for (const Case& c : cases) {
    const std::optional<net::Bye> bye = bye_for_name(server.port(), c.name);
    ASSERT_TRUE(bye.has_value()) << "no Bye for " << c.says;
    EXPECT_EQ(bye->reason, net::ByeReason::kBadName) << c.says;
    EXPECT_NE(std::string(bye->view()).find(c.says), std::string::npos) << bye->view();
    EXPECT_NE(std::string(bye->view()).find("your name"), std::string::npos) << bye->view();
  }
  EXPECT_TRUE(server.wait_for_stderr("refusing the name", cases.size(), 5s))
      << server.stderr_text();
  EXPECT_EQ(count_occurrences(server.stderr_text(), "joined as participant"), 2u)
      << "wendy and walt only";
  good.stop_and_expect_unharmed();
}

TEST(Names, ATakenNameGetsASuffixEveryoneSees) {
  TempDir dir;
  ServerProcess server({}, dir.file("server.stderr"));
  WellBehavedCall good(server, dir, {}, kGoodNames);
  ASSERT_TRUE(good.joined()) << server.stderr_text();
  RawConnection first(server.port());
  ASSERT_TRUE(first.join("alice", 80, 23));
  RawConnection second(server.port());
  ASSERT_TRUE(second.join("alice", 80, 23));
  RawConnection third(server.port());
  ASSERT_TRUE(third.join("alice", 80, 23));
  const std::vector<std::string> expected = {"alice", "alice (2)", "alice (3)"};
  EXPECT_EQ(names_once(first, 5), expected);
  EXPECT_EQ(names_once(third, 5), expected);

  // A long name is cut on a character boundary to make room for the suffix.
  const std::string long_name = std::string(30, 'x') + "\xC3\xA9";  // 32 bytes
  RawConnection l1(server.port());
  ASSERT_TRUE(l1.join(long_name, 80, 23));
  RawConnection l2(server.port());
  ASSERT_TRUE(l2.join(long_name, 80, 23));
  const std::vector<std::string> names = names_once(l2, 7);
  ASSERT_EQ(names.size(), 5u);
  EXPECT_EQ(names[3], long_name);
  EXPECT_EQ(names[4], std::string(28, 'x') + " (2)");
  good.stop_and_expect_unharmed();
}

TEST(Names, TheJoiningClientLearnsItsFinalName) {
  TempDir dir;
  ServerProcess server({}, dir.file("server.stderr"));
  WellBehavedCall good(server, dir, {}, kGoodNames);
  ASSERT_TRUE(good.joined()) << server.stderr_text();
  RawConnection first(server.port());
  ASSERT_TRUE(first.join("bob", 80, 23));
  ClientSpec spec;
  spec.name = "bob";
  ChildProcess bob = start_client(server.port(), spec, dir.file("bob.stderr"));
  EXPECT_TRUE(server.wait_for_stderr("bob (2) joined as participant 4", 1, 15s))
      << server.stderr_text();
  EXPECT_TRUE(wait_until(
      [&] {
        return read_file_or_empty(dir.file("bob.stderr")).find("you are 'bob (2)' in this call") !=
               std::string::npos;
      },
      15s))
      << read_file_or_empty(dir.file("bob.stderr"));
  good.stop_and_expect_unharmed();
}

}  // namespace
}  // namespace ttycall::itest
