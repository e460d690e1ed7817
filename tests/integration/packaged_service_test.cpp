// The packaged systemd unit (packaging/ttycall-server.service) as an operator meets it:
// systemd-analyze accepts it, and the server started the way the unit starts it (its
// Environment= lines, %S as the state root, no HOME, as a dynamic user gets) keeps one
// identity in the state directory across restarts, so clients' pinned key stays valid.
// systemd itself cannot run here; its own checker and the unit's own lines stand in for it.
#include <gtest/gtest.h>
#include <sys/stat.h>

#include <array>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <regex>
#include <sstream>
#include <string>
#include <vector>

#include "process.h"
#include "temp_dir.h"
#include "text_file.h"
#include "ttycall_binary.h"
#include "wait_until.h"

namespace ttycall::itest {
namespace {

using namespace std::chrono_literals;

std::string read_unit() {
  return read_file_or_empty(std::string(TTYCALL_SOURCE_DIR) + "/packaging/ttycall-server.service");
}

// The unit as CMake installs it, with the binary's folder filled in.
std::string installed_unit() {
  std::string unit = read_unit();
  const std::string bindir = std::filesystem::path(ttycall_binary()).parent_path().string();
  for (size_t at; (at = unit.find("@TTYCALL_INSTALL_BINDIR@")) != std::string::npos;)
    unit.replace(at, 24, bindir);
  return unit;
}

// The values of `key=` lines, in order.
std::vector<std::string> unit_values(const std::string& unit, const std::string& key) {
  std::vector<std::string> values;
  std::istringstream lines(unit);
  for (std::string line; std::getline(lines, line);) {
    if (line.rfind(key + "=", 0) == 0) values.push_back(line.substr(key.size() + 1));
  }
  return values;
}

TEST(PackagedService, SystemdAnalyzeVerifiesTheUnitWithoutAWord) {
  ASSERT_FALSE(read_unit().empty());
  TempDir dir;
  const std::string unit_file = dir.file("ttycall-server.service");
  std::ofstream(unit_file) << installed_unit();
  // --man=no: the man page is not installed where systemd looks for it.
  const std::string command = "systemd-analyze verify --man=no " + unit_file + " 2>&1";
  FILE* pipe = ::popen(command.c_str(), "r");
  ASSERT_NE(pipe, nullptr);
  std::string said;
  std::array<char, 4096> buffer;
  while (size_t n = std::fread(buffer.data(), 1, buffer.size(), pipe))
    said.append(buffer.data(), n);
  const int status = ::pclose(pipe);
  EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0) << said;
  // Unknown keys and bad values are only warnings to systemd: any word is a defect here.
  EXPECT_EQ(said, "");
}

// Starts ExecStart with the unit's environment, as systemd would for a dynamic user with
// state root `state_root`; `overrides` play /etc/default/ttycall-server.
ChildProcess start_as_the_unit(const std::string& unit, const std::string& state_root,
                               const std::vector<std::string>& overrides,
                               const std::string& stderr_path) {
  std::vector<std::string> argv = {"/usr/bin/env", "-u", "HOME", "-u", "XDG_CONFIG_HOME"};
  for (std::string assignment : unit_values(unit, "Environment")) {
    for (size_t at; (at = assignment.find("%S")) != std::string::npos;)
      assignment.replace(at, 2, state_root);
    argv.push_back(assignment);
  }
  argv.insert(argv.end(), overrides.begin(), overrides.end());
  const std::vector<std::string> exec = unit_values(unit, "ExecStart");
  if (exec.size() != 1) throw std::runtime_error("the unit needs one ExecStart");
  std::istringstream words(exec[0]);
  for (std::string word; words >> word;) argv.push_back(word);
  return ChildProcess::start(argv, "/dev/null", stderr_path);
}

// The key the server's log names ("server key KEY ..."), once it listens.
std::string logged_key(ChildProcess& server, const std::string& stderr_path) {
  std::string key;
  const std::regex line(R"(server key ([A-Za-z0-9+/]{43}))");
  wait_until(
      [&] {
        std::smatch m;
        const std::string log = read_file_or_empty(stderr_path);
        if (std::regex_search(log, m, line)) key = m[1];
        return !key.empty() || !server.running();
      },
      15s);
  return key;
}

TEST(PackagedService, TheServerKeepsOneIdentityInItsStateDirectory) {
  const std::string unit = installed_unit();
  ASSERT_EQ(unit_values(unit, "StateDirectory"), std::vector<std::string>{"ttycall"});
  TempDir dir;
  // systemd makes the state directory (mode StateDirectoryMode) before the service starts.
  const std::filesystem::path state = std::filesystem::path(dir.path()) / "ttycall";
  std::filesystem::create_directory(state);
  std::filesystem::permissions(state, std::filesystem::perms::owner_all);
  // Loopback only, any free port: what an operator's /etc/default/ttycall-server could say.
  const std::vector<std::string> overrides = {"TTYCALL_SERVER_BIND=127.0.0.1",
                                              "TTYCALL_SERVER_PORT=0"};

  std::string first_key;
  for (int start = 0; start < 2; ++start) {
    SCOPED_TRACE(start);
    const std::string log = dir.file("server" + std::to_string(start) + ".stderr");
    ChildProcess server = start_as_the_unit(unit, dir.path(), overrides, log);
    const std::string key = logged_key(server, log);
    ASSERT_FALSE(key.empty()) << read_file_or_empty(log);
    if (start == 0) first_key = key;
    EXPECT_EQ(key, first_key) << "a restart must not give the server a new key";
    const ExitStatus ended = server.terminate(10s);
    EXPECT_TRUE(ended.success()) << ended.describe() << "\n" << read_file_or_empty(log);
  }
  struct stat st {};
  ASSERT_EQ(::stat((state / "server_key").c_str(), &st), 0) << "the key is in the state directory";
  EXPECT_EQ(st.st_mode & 0777, 0600u);
}

}  // namespace
}  // namespace ttycall::itest
