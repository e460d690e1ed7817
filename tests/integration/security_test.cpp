// Who may join a call, as users meet it: the client pins the server's key and refuses a
// changed one, passwords and allowed keys let in only whom they should, and --insecure
// on one side only ends with a clear message instead of a hang.
#include <gtest/gtest.h>

#include <chrono>
#include <fstream>
#include <memory>
#include <string>
#include <thread>

#include "client_process.h"
#include "pty_process.h"
#include "scripted_server.h"
#include "server_process.h"
#include "temp_dir.h"
#include "text_file.h"
#include "ttycall_binary.h"
#include "well_behaved_call.h"

namespace ttycall::itest {
namespace {

using namespace std::chrono_literals;

struct Outcome {
  ExitStatus status;
  std::string stderr_text;
};

// Runs a headless client for at most a few seconds and returns how it ended.
Outcome run_client(uint16_t port, const TempDir& dir, const std::string& name,
                   std::vector<std::string> extra, double duration = 1.5) {
  ClientSpec spec;
  spec.name = name;
  spec.duration = duration;
  spec.extra_args = std::move(extra);
  const std::string err = dir.file(name + ".stderr");
  ChildProcess client = start_client(port, spec, err);
  const auto status = client.wait_for(20s);
  EXPECT_TRUE(status) << name << " did not end by itself";
  return {status.value_or(ExitStatus{}), read_file_or_empty(err)};
}

std::string key_of(const std::string& identity_file, bool server = false) {
  TempDir dir;
  std::vector<std::string> argv = {ttycall_binary(), "key", "--identity", identity_file};
  if (server) argv.push_back("--server");
  ChildProcess p = ChildProcess::start(argv, dir.file("out"), dir.file("err"));
  const auto status = p.wait_for(10s);
  EXPECT_TRUE(status && status->success());
  std::string key = read_file_or_empty(dir.file("out"));
  while (!key.empty() && key.back() == '\n') key.pop_back();
  return key;
}

TEST(Security, ClientPinsTheServerKeyAndRefusesAChangedOne) {
  TempDir dir;
  const std::string hosts = dir.file("known_hosts");
  uint16_t old_port = 0;
  {
    ServerProcess server({"--identity", dir.file("old_key")}, dir.file("old.stderr"));
    old_port = server.port();
    const Outcome first = run_client(server.port(), dir, "first", {"--known-hosts", hosts});
    EXPECT_TRUE(first.status.success()) << first.stderr_text;
    EXPECT_NE(first.stderr_text.find("is now pinned"), std::string::npos) << first.stderr_text;
    const Outcome again = run_client(server.port(), dir, "again", {"--known-hosts", hosts});
    EXPECT_TRUE(again.status.success()) << again.stderr_text;
    EXPECT_EQ(again.stderr_text.find("pinned"), std::string::npos) << "pinned only once";
  }
  // The same address now answers with another key (a new server, or someone in between).
  ServerProcess impostor({"--identity", dir.file("new_key")}, dir.file("new.stderr"));
  std::string pinned = read_file_or_empty(hosts);
  const std::string old_address = "127.0.0.1:" + std::to_string(old_port);
  const std::string new_address = "127.0.0.1:" + std::to_string(impostor.port());
  pinned.replace(pinned.find(old_address), old_address.size(), new_address);
  std::ofstream(hosts) << pinned;

  const Outcome refused = run_client(impostor.port(), dir, "refused", {"--known-hosts", hosts});
  EXPECT_EQ(refused.status.code, 4) << refused.status.describe();
  EXPECT_NE(refused.stderr_text.find("THE SERVER'S KEY HAS CHANGED"), std::string::npos)
      << refused.stderr_text;
  EXPECT_NE(refused.stderr_text.find("delete line 1 of " + hosts), std::string::npos)
      << "says how to fix it: " << refused.stderr_text;
  EXPECT_EQ(impostor.stderr_text().find("joined as participant"), std::string::npos)
      << "the client must not join a server it does not trust";
  EXPECT_EQ(read_file_or_empty(hosts), pinned) << "the pinned key is left alone";
}

TEST(Security, PasswordLetsInOnlyThoseWhoKnowIt) {
  TempDir dir;
  std::ofstream(dir.file("password")) << "open sesame\n";
  ServerProcess server({"--password-file", dir.file("password"), "--refusal-log-interval", "1"},
                       dir.file("server.stderr"));
  EXPECT_TRUE(server.wait_for_stderr("password required", 1, 5s)) << server.stderr_text();
  const std::string key = server.server_key();

  const Outcome right =
      run_client(server.port(), dir, "right", {"--password", "open sesame", "--server-key", key});
  EXPECT_TRUE(right.status.success()) << right.stderr_text;
  EXPECT_TRUE(server.wait_for_stderr("right joined as participant", 1, 5s));

  const Outcome wrong =
      run_client(server.port(), dir, "wrong", {"--password", "open barley", "--server-key", key});
  EXPECT_EQ(wrong.status.code, 1) << wrong.status.describe();
  EXPECT_NE(wrong.stderr_text.find("refused to let you in: wrong password"), std::string::npos)
      << wrong.stderr_text;

  const Outcome none = run_client(server.port(), dir, "none", {});
  EXPECT_EQ(none.status.code, 1);
  EXPECT_NE(none.stderr_text.find("needs a password: connect with --password"), std::string::npos)
      << none.stderr_text;
  const std::string log = server.stderr_text();
  EXPECT_EQ(log.find("wrong joined"), std::string::npos);
  EXPECT_EQ(log.find("none joined"), std::string::npos);
  EXPECT_TRUE(server.wait_for_stderr("refused 1 connection in the last", 1, 5s))
      << "the server logs the refusal, in aggregate";
  EXPECT_NE(server.stderr_text().find("wrong password"), std::string::npos);
  EXPECT_EQ(log.find("open barley"), std::string::npos);
}

// A server that needs a password ("open sesame"), and a well-behaved call on it that was
// given the server's key.
struct PasswordCall {
  explicit PasswordCall(const TempDir& dir)
      : server({"--password", "open sesame", "--refusal-log-interval", "1"},
               dir.file("server.stderr")),
        key(server.server_key()),
        good(server, dir, {"--password", "open sesame", "--server-key", key}) {}
  bool started() const { return !key.empty() && good.joined(); }

  ServerProcess server;
  std::string key;
  WellBehavedCall good;
};

// On first use the client has no pinned key to trust, and a password proof sent to
// whoever answered would let an impostor test guesses offline: it sends none unless the
// key was given with --server-key, and it pins nothing then either.
TEST(Security, APasswordProofGoesOnlyToAKeyPinnedBeforeOrGivenWithServerKey) {
  TempDir dir;
  PasswordCall call(dir);
  ASSERT_TRUE(call.started()) << call.server.stderr_text();
  ServerProcess& server = call.server;
  const std::string& key = call.key;
  const Outcome first = run_client(server.port(), dir, "first", {"--password", "open sesame"});
  EXPECT_EQ(first.status.code, 1) << first.status.describe();
  EXPECT_NE(first.stderr_text.find("which this client has never seen"), std::string::npos)
      << first.stderr_text;
  EXPECT_NE(first.stderr_text.find("--server-key " + key), std::string::npos)
      << "the message names the fix\n"
      << first.stderr_text;
  // Nothing was pinned by the refused attempt: trying again is refused the same way.
  const Outcome again = run_client(server.port(), dir, "again", {"--password", "open sesame"});
  EXPECT_EQ(again.status.code, 1) << again.stderr_text;
  EXPECT_NE(again.stderr_text.find("which this client has never seen"), std::string::npos)
      << again.stderr_text;
  // The server never saw a proof: no wrong password, nobody joined.
  std::this_thread::sleep_for(1500ms);  // one refusal-log interval
  EXPECT_EQ(server.stderr_text().find("wrong password"), std::string::npos) << server.stderr_text();
  // With the key confirmed the same password gets in.
  const Outcome confirmed = run_client(server.port(), dir, "confirmed",
                                       {"--password", "open sesame", "--server-key", key});
  EXPECT_TRUE(confirmed.status.success()) << confirmed.stderr_text;
  EXPECT_TRUE(server.wait_for_stderr("confirmed joined as participant", 1, 5s));
  call.good.stop_and_expect_unharmed();
}

// At a terminal the client can ask instead: it shows the key of a server it has never
// seen and asks whether it is the server's. A no ends there (nothing pinned, no proof
// sent); a yes pins the key and the password goes, now and on later connections.
TEST(Security, AtATerminalAKeySeenFirstIsShownAndThePasswordGoesOnlyIfConfirmed) {
  TempDir dir;
  PasswordCall call(dir);
  ASSERT_TRUE(call.started()) << call.server.stderr_text();
  ServerProcess& server = call.server;
  const std::string& key = call.key;
  const std::string hosts = dir.file("known_hosts");
  auto asker = [&](const std::string& name) {
    ClientSpec spec;
    spec.name = name;
    spec.video = "none";
    spec.duration = 2;
    spec.extra_args = {"--audio",    "none",        "--audio-out",   "null",
                       "--password", "open sesame", "--known-hosts", hosts};
    return std::make_unique<PtyProcess>(client_argv(server.port(), spec));
  };
  const std::string question = "Pin it and send the password (yes/no): ";

  const auto refused = asker("refuser");
  ASSERT_TRUE(refused->read_until(question, 20s)) << refused->output();
  EXPECT_NE(refused->output().find(key), std::string::npos) << "shows the key\n"
                                                            << refused->output();
  ASSERT_TRUE(refused->type("no\n"));
  EXPECT_EQ(refused->wait_for_exit(20s), 1) << refused->output();
  EXPECT_NE(
      refused->output().find("was not confirmed: nothing was pinned and no password was sent"),
      std::string::npos)
      << refused->output();
  EXPECT_EQ(read_file_or_empty(hosts).find(key), std::string::npos) << "nothing pinned";

  const auto confirmed = asker("confirmer");
  ASSERT_TRUE(confirmed->read_until(question, 20s)) << confirmed->output();
  ASSERT_TRUE(confirmed->type("yes\n"));
  EXPECT_TRUE(server.wait_for_stderr("confirmer joined as participant", 1, 20s))
      << server.stderr_text();
  EXPECT_EQ(confirmed->wait_for_exit(20s), 0) << confirmed->output();
  EXPECT_NE(confirmed->output().find("is now pinned in " + hosts), std::string::npos)
      << confirmed->output();
  EXPECT_NE(read_file_or_empty(hosts).find(key), std::string::npos) << read_file_or_empty(hosts);

  // Pinned now: the next connection sends its proof without asking, at a terminal or not.
  const Outcome again = run_client(server.port(), dir, "again",
                                   {"--password", "open sesame", "--known-hosts", hosts});
  EXPECT_TRUE(again.status.success()) << again.stderr_text;
  EXPECT_TRUE(server.wait_for_stderr("again joined as participant", 1, 5s));
  // The refused one never sent a proof: the server saw no wrong password.
  std::this_thread::sleep_for(1500ms);  // one refusal-log interval
  EXPECT_EQ(server.stderr_text().find("wrong password"), std::string::npos) << server.stderr_text();
  EXPECT_EQ(server.stderr_text().find("refuser joined"), std::string::npos);
  call.good.stop_and_expect_unharmed();
}

TEST(Security, AllowedKeysLetInOnlyListedClients) {
  TempDir dir;
  const std::string friend_key = key_of(dir.file("friend_key"));
  ASSERT_EQ(friend_key.size(), 43u);
  std::ofstream(dir.file("allowed")) << "# who may join\n" << friend_key << " friend\n";
  ServerProcess server({"--allowed-keys", dir.file("allowed")}, dir.file("server.stderr"));

  const Outcome in =
      run_client(server.port(), dir, "friend", {"--identity", dir.file("friend_key")});
  EXPECT_TRUE(in.status.success()) << in.stderr_text;
  const Outcome out =
      run_client(server.port(), dir, "stranger", {"--identity", dir.file("stranger_key")});
  EXPECT_EQ(out.status.code, 1);
  EXPECT_NE(out.stderr_text.find("your key is not allowed on this server"), std::string::npos)
      << out.stderr_text;
  EXPECT_TRUE(server.wait_for_stderr("friend joined as participant", 1, 5s));
  EXPECT_EQ(server.stderr_text().find("stranger joined"), std::string::npos);
}

TEST(Security, InsecureOnOneSideOnlyEndsWithAClearMessage) {
  TempDir dir;
  {
    ServerProcess encrypting({}, dir.file("encrypting.stderr"));
    const Outcome plain = run_client(encrypting.port(), dir, "plain", {"--insecure"}, 30);
    EXPECT_EQ(plain.status.code, 1);
    EXPECT_NE(plain.stderr_text.find("this server encrypts every call: connect without --insecure"),
              std::string::npos)
        << plain.stderr_text;
  }
  ServerProcess insecure({"--insecure"}, dir.file("insecure.stderr"));
  // Said just after "listening", so perhaps not yet when the test reads it.
  EXPECT_TRUE(insecure.wait_for_stderr("encryption is OFF", 1, 5s)) << insecure.stderr_text();
  const Outcome secure = run_client(insecure.port(), dir, "secure", {}, 30);
  EXPECT_EQ(secure.status.code, 1);
  // The server's refusal comes before any key exchange: the client's own words only.
  EXPECT_NE(secure.stderr_text.find("it says it runs without encryption"), std::string::npos)
      << secure.stderr_text;
  EXPECT_NE(secure.stderr_text.find("unauthenticated"), std::string::npos) << secure.stderr_text;
  const Outcome both = run_client(insecure.port(), dir, "both", {"--insecure"});
  EXPECT_TRUE(both.status.success()) << both.stderr_text;
}

TEST(Security, ServerRefusesPasswordWithoutEncryption) {
  TempDir dir;
  ChildProcess p = ChildProcess::start(
      {ttycall_binary(), "server", "--port", "0", "--insecure", "--password", "x"}, dir.file("out"),
      dir.file("err"));
  const auto status = p.wait_for(10s);
  ASSERT_TRUE(status);
  EXPECT_EQ(status->code, 1);
  EXPECT_NE(read_file_or_empty(dir.file("err")).find("need encryption: drop --insecure"),
            std::string::npos);
}

// Before the key exchange anyone on the path can write a Bye: its words, which could say
// "reconnect with --insecure", never reach the user; the client says what the reason code
// means in its own words, and that nothing proves the server sent it.
TEST(Security, AByeBeforeAuthenticationIsShownInTheClientsOwnWordsOnly) {
  TempDir dir;
  struct Case {
    net::ByeReason reason;
    std::vector<std::string> client_args;
    const char* own_words;
  };
  for (const Case& c :
       {Case{net::ByeReason::kNotEncrypted, {}, "it says it runs without encryption"},
        Case{net::ByeReason::kAuthFailed, {"--insecure"}, "wrong or missing password"},
        Case{net::ByeReason::kServerFull, {}, "the server is full"}}) {
    SCOPED_TRACE(c.own_words);
    ServerScript script;
    script.refuse_with =
        net::Bye::make(c.reason, "reconnect with --insecure --password-file ~/.ssh/id_ed25519");
    ScriptedServer server(std::move(script));
    const Outcome out = run_client(server.port(), dir, "victim", c.client_args, 10);
    server.stop();
    EXPECT_TRUE(server.heard_from_client());
    EXPECT_FALSE(out.status.success());
    EXPECT_EQ(out.stderr_text.find("reconnect with"), std::string::npos) << out.stderr_text;
    EXPECT_EQ(out.stderr_text.find("id_ed25519"), std::string::npos) << out.stderr_text;
    EXPECT_NE(out.stderr_text.find(c.own_words), std::string::npos) << out.stderr_text;
    EXPECT_NE(out.stderr_text.find("unauthenticated"), std::string::npos) << out.stderr_text;
  }
}

// One flag, perhaps suggested by someone in between, must not turn a known server's
// encryption off: --insecure to an address pinned in known_hosts needs a second flag.
TEST(Security, InsecureToAPinnedServerNeedsASecondFlag) {
  TempDir dir;
  ServerProcess server({}, dir.file("server.stderr"));
  WellBehavedCall good(server, dir, {"--server-key", server.server_key()});
  ASSERT_TRUE(good.joined()) << server.stderr_text();
  const Outcome pinning = run_client(server.port(), dir, "first", {});
  ASSERT_TRUE(pinning.status.success()) << pinning.stderr_text;

  const Outcome refused = run_client(server.port(), dir, "downgraded", {"--insecure"});
  EXPECT_EQ(refused.status.code, 2) << refused.stderr_text;
  EXPECT_NE(refused.stderr_text.find("is pinned in"), std::string::npos) << refused.stderr_text;
  EXPECT_NE(refused.stderr_text.find("--insecure-even-if-pinned"), std::string::npos)
      << refused.stderr_text;
  EXPECT_EQ(refused.stderr_text.find("never reached"), std::string::npos)
      << "refused before connecting";

  // With both flags it goes ahead, and meets this server's refusal of unencrypted clients.
  const Outcome both =
      run_client(server.port(), dir, "insisting", {"--insecure", "--insecure-even-if-pinned"});
  EXPECT_EQ(both.status.code, 1) << both.stderr_text;
  EXPECT_NE(both.stderr_text.find("this server encrypts every call"), std::string::npos)
      << both.stderr_text;
  good.stop_and_expect_unharmed();
}

}  // namespace
}  // namespace ttycall::itest
