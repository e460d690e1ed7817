// Before a connection has joined it may cost the server little and lock nobody out: silent
// sockets are refused beyond the caps or time out with a Bye, fast connections and key
// exchanges are slowed, wrong passwords back their address off while the right one from
// elsewhere gets in at once, and every refusal is logged in aggregate. Through each, two
// well-behaved participants (alice with a camera, bob with a voice) stay in the call,
// and their frames and voice packets are counted at the end. The attackers come from other
// addresses of 127.0.0.0/8 (Linux routes all of it to loopback).
#include <gtest/gtest.h>
#include <signal.h>

#include <chrono>
#include <memory>
#include <regex>
#include <string>
#include <thread>
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

// carol, who arrives while the attack goes on: no camera, no microphone, `extra` added.
ClientSpec newcomer_spec(std::vector<std::string> extra) {
  ClientSpec spec;
  spec.name = "carol";
  spec.video = "none";
  spec.duration = 60;
  spec.extra_args = {"--audio", "none"};
  spec.extra_args.insert(spec.extra_args.end(), extra.begin(), extra.end());
  return spec;
}

// Sums N over the server's aggregated lines "refused N connection(s) in the last ...: WHY"
// whose WHY starts with `why`.
int refused_in_log(const std::string& log, const std::string& why) {
  const std::regex line("refused ([0-9]+) connections? in the last [0-9]+ s: ([^\n]*)");
  int total = 0;
  for (auto it = std::sregex_iterator(log.begin(), log.end(), line); it != std::sregex_iterator();
       ++it) {
    if ((*it)[2].str().rfind(why, 0) == 0) total += std::stoi((*it)[1].str());
  }
  return total;
}

TEST(PreAuth, SilentSocketsFromOneAddressAreCappedAndTimedOutWithAByeAndLockNobodyOut) {
  TempDir dir;
  ServerProcess server({"--fps", "30", "--first-message-timeout", "2", "--max-pending-per-ip", "4",
                        "--connections-per-ip-per-second", "1000", "--refusal-log-interval", "1"},
                       dir.file("server.stderr"));
  WellBehavedCall call(server, dir);
  ASSERT_TRUE(call.joined()) << server.stderr_text();

  constexpr int kSilent = 40;
  std::vector<std::unique_ptr<RawConnection>> silent;
  for (int i = 0; i < kSilent; ++i) {
    silent.push_back(std::make_unique<RawConnection>(server.port(), 0, "127.0.0.2"));
  }
  // A newcomer from another address joins while they sit there.
  const ClientSpec carol = newcomer_spec({});
  ChildProcess carol_process = start_client(server.port(), carol, dir.file("carol.stderr"));
  EXPECT_TRUE(server.wait_for_stderr("carol joined as participant", 1, 20s))
      << server.stderr_text();

  int too_many = 0, timed_out = 0;
  for (auto& c : silent) {
    net::Bye bye;
    bye.reason = net::ByeReason::kNormal;
    ASSERT_TRUE(c->wait_closed(15s, &bye)) << "a silent socket was kept open";
    too_many += bye.reason == net::ByeReason::kTooManyConnections;
    timed_out += bye.reason == net::ByeReason::kTimeout;
  }
  EXPECT_EQ(too_many, kSilent - 4) << "beyond the 4 unauthenticated ones one address may hold";
  EXPECT_EQ(timed_out, 4) << "the 4 held ones end at the first-message timeout, with a Bye";
  // In aggregate: a line per reason per second, never one per connection.
  ASSERT_TRUE(wait_until(
      [&] {
        const std::string log = server.stderr_text();
        return refused_in_log(log, "the address had its maximum of unauthenticated connections") ==
                   kSilent - 4 &&
               refused_in_log(log, "nothing received within the first-message timeout") == 4;
      },
      10s))
      << server.stderr_text();
  EXPECT_EQ(server.stderr_text().find("refusing a connection"), std::string::npos);
  carol_process.send_signal(SIGTERM);
  carol_process.wait_for(10s);
  call.stop_and_expect_unharmed();
}

TEST(PreAuth, ServerWideCapOnUnfinishedHandshakesNeverStandsInTheWayOfJoinedClients) {
  TempDir dir;
  ServerProcess server({"--fps", "30", "--first-message-timeout", "2", "--max-pending", "8",
                        "--refusal-log-interval", "1"},
                       dir.file("server.stderr"));
  WellBehavedCall call(server, dir);
  ASSERT_TRUE(call.joined()) << server.stderr_text();
  // Silent sockets from 16 addresses, 2 each: 8 held server-wide, the rest refused.
  std::vector<std::unique_ptr<RawConnection>> silent;
  for (int a = 10; a < 26; ++a) {
    const std::string source = "127.0.0." + std::to_string(a);
    for (int i = 0; i < 2; ++i) {
      silent.push_back(std::make_unique<RawConnection>(server.port(), 0, source.c_str()));
    }
  }
  // A newcomer is turned away while they sit there, tries again, and joins once they time
  // out: the joined ones never counted.
  const ClientSpec carol = newcomer_spec({});
  ChildProcess carol_process = start_client(server.port(), carol, dir.file("carol.stderr"));
  EXPECT_TRUE(server.wait_for_stderr("carol joined as participant", 1, 30s))
      << server.stderr_text();
  int refused = 0;
  for (auto& c : silent) {
    net::Bye bye;
    ASSERT_TRUE(c->wait_closed(15s, &bye));
    refused += bye.reason == net::ByeReason::kTooManyConnections;
  }
  EXPECT_EQ(refused, int(silent.size()) - 8);
  EXPECT_TRUE(wait_until(
      [&] {
        return refused_in_log(server.stderr_text(),
                              "the server had its maximum of unauthenticated connections") >=
               int(silent.size()) - 8;
      },
      10s))
      << server.stderr_text();
  carol_process.send_signal(SIGTERM);
  carol_process.wait_for(10s);
  call.stop_and_expect_unharmed();
}

TEST(PreAuth, ConnectionAndKeyExchangeRatesPerAddressRefuseTheExcessWithAReason) {
  TempDir dir;
  ServerProcess server({"--fps", "30", "--connections-per-ip-per-second", "0.1",
                        "--handshakes-per-ip-per-second", "0.1", "--refusal-log-interval", "1"},
                       dir.file("server.stderr"));
  WellBehavedCall call(server, dir);
  ASSERT_TRUE(call.joined()) << server.stderr_text();

  // Connections: a burst of 20, then 0.1 a second.
  constexpr int kTries = 40;
  int slowed = 0;
  for (int i = 0; i < kTries; ++i) {
    RawConnection c(server.port(), 0, "127.0.0.3");
    c.shutdown_write();  // ends the admitted ones at once
    net::Bye bye;
    ASSERT_TRUE(c.wait_closed(10s, &bye));
    slowed += bye.reason == net::ByeReason::kSlowDown;
  }
  EXPECT_GE(slowed, kTries - 22) << "a burst of 20 (and one more each 10 s) gets through";
  EXPECT_LE(slowed, kTries - 20);

  // Key exchanges (the server's costliest step): a burst of 10, then 0.1 a second, within
  // the 20 connections the address may open at once.
  int answered = 0, exchanges_slowed = 0;
  for (int i = 0; i < 20; ++i) {
    RawConnection c(server.port(), 0, "127.0.0.4");
    net::ClientKeyExchange kx;
    ASSERT_TRUE(c.send_message(net::MsgType::kKeyHello, kx.hello()));
    const auto answer = c.read_packet(10s);
    ASSERT_TRUE(answer);
    answered += answer->header.type == net::MsgType::kKeyWelcome;
    net::Bye bye;
    exchanges_slowed += answer->header.type == net::MsgType::kBye &&
                        net::decode(answer->payload, bye) &&
                        bye.reason == net::ByeReason::kSlowDown;
  }
  EXPECT_EQ(answered + exchanges_slowed, 20);
  EXPECT_GE(answered, 10);
  EXPECT_LE(answered, 12);
  EXPECT_TRUE(wait_until(
      [&] {
        const std::string log = server.stderr_text();
        return refused_in_log(log, "the address connected too fast") == slowed &&
               refused_in_log(log, "the address started key exchanges too fast") ==
                   exchanges_slowed;
      },
      10s))
      << server.stderr_text();
  call.stop_and_expect_unharmed();
}

// Wrong passwords back their address off; the right password from another address gets
// in at once, and the refusals are counted in aggregate, never one line each.
TEST(PreAuth, WrongPasswordsBackTheirAddressOffWhileTheRightOneFromElsewhereJoinsAtOnce) {
  TempDir dir;
  ServerProcess server({"--fps", "30", "--password", "open sesame", "--refusal-log-interval", "1"},
                       dir.file("server.stderr"));
  const std::string key = server.server_key();
  WellBehavedCall call(server, dir, {"--password", "open sesame", "--server-key", key});
  ASSERT_TRUE(call.joined()) << server.stderr_text();

  RawConnection::Password wrong{"open barley", {}, {}};
  const net::Identity mallory = net::Identity::generate();
  auto attempt = [&] {
    RawConnection c(server.port(), 0, "127.0.0.5");
    EXPECT_TRUE(c.key_exchange(mallory, &wrong));
    net::Bye bye;
    EXPECT_TRUE(c.wait_closed(10s, &bye));
    return bye.reason;
  };
  EXPECT_EQ(attempt(), net::ByeReason::kAuthFailed);
  // At once again: the 2 s back-off refuses it before the password is checked.
  EXPECT_EQ(attempt(), net::ByeReason::kSlowDown);
  EXPECT_EQ(attempt(), net::ByeReason::kSlowDown);

  // Meanwhile the right password from 127.0.0.1 gets in on its first try.
  const ClientSpec carol = newcomer_spec({"--password", "open sesame", "--server-key", key});
  ChildProcess carol_process = start_client(server.port(), carol, dir.file("carol.stderr"));
  EXPECT_TRUE(server.wait_for_stderr("carol joined as participant", 1, 20s))
      << server.stderr_text();
  EXPECT_EQ(read_file_or_empty(dir.file("carol.stderr")).find("wait"), std::string::npos)
      << "carol was told to wait";
  EXPECT_TRUE(wait_until(
      [&] {
        const std::string log = server.stderr_text();
        return refused_in_log(log, "wrong password") == 1 &&
               refused_in_log(log, "the address was backing off after wrong passwords") == 2;
      },
      10s))
      << server.stderr_text();
  EXPECT_EQ(server.stderr_text().find("refusing client key"), std::string::npos)
      << "no line per wrong password";
  carol_process.send_signal(SIGTERM);
  carol_process.wait_for(10s);
  call.stop_and_expect_unharmed();
}

}  // namespace
}  // namespace ttycall::itest
