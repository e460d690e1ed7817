// Specification of the HOST[:PORT][/ROOM] address (src/client/server_address.h).
#include "client/server_address.h"

#include <gtest/gtest.h>

namespace ttycall::client {
namespace {

ServerAddress parsed(std::string_view text) {
  core::Result<ServerAddress> address = parse_server_address(text);
  EXPECT_TRUE(address.is_ok()) << text << ": " << address.status().message();
  return address.is_ok() ? *address : ServerAddress{};
}

TEST(ServerAddress, HostPortAndRoomAreEachOptionalButTheHost) {
  ServerAddress a = parsed("call.example.org");
  EXPECT_EQ(a.host, "call.example.org");
  EXPECT_FALSE(a.port);
  EXPECT_EQ(a.room, "");
  a = parsed("10.0.0.5:9000");
  EXPECT_EQ(a.host, "10.0.0.5");
  EXPECT_EQ(a.port, 9000);
  a = parsed("call.example.org/standup");
  EXPECT_EQ(a.host, "call.example.org");
  EXPECT_FALSE(a.port);
  EXPECT_EQ(a.room, "standup");
  a = parsed("h:1/stand-up 9:30");  // a room name may hold ':' and spaces
  EXPECT_EQ(a.port, 1);
  EXPECT_EQ(a.room, "stand-up 9:30");
  a = parsed("h/");  // an empty room: the default one
  EXPECT_EQ(a.room, "");
}

TEST(ServerAddress, IPv6InBracketsWhenAPortFollows) {
  ServerAddress a = parsed("[::1]:27224/ops");
  EXPECT_EQ(a.host, "::1");
  EXPECT_EQ(a.port, 27224);
  EXPECT_EQ(a.room, "ops");
  a = parsed("[fe80::1]");
  EXPECT_EQ(a.host, "fe80::1");
  EXPECT_FALSE(a.port);
  a = parsed("::1");  // bare, without a port
  EXPECT_EQ(a.host, "::1");
  EXPECT_FALSE(a.port);
}

TEST(ServerAddress, RefusesWhatIsNotAnAddress) {
  for (const char* bad : {"", ":9000", "/room", "h:", "h:0", "h:65536", "h:port", "[::1", "[::1]x",
                          "[::1]:", "h/a\x1b[2J", "h/rtl\xE2\x80\xAE", "h/\xFF"}) {
    const core::Result<ServerAddress> a = parse_server_address(bad);
    EXPECT_FALSE(a.is_ok()) << bad;
    if (!a.is_ok()) {
      EXPECT_EQ(a.status().exit_code(), 2) << bad;
      EXPECT_EQ(a.status().message().find('\x1b'), std::string::npos) << "echoed raw: " << bad;
    }
  }
  EXPECT_FALSE(parse_server_address("h/" + std::string(33, 'r')).is_ok());
}

}  // namespace
}  // namespace ttycall::client
