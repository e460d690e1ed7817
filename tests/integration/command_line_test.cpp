// `ttycall` as a newcomer meets it: --help and --version, the man page and the shell
// completions the build generates, and where option values come from (flag > environment
// > config file > default), all through the real binary.
#include <gtest/gtest.h>
#include <sys/wait.h>

#include <algorithm>
#include <array>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <regex>
#include <set>
#include <string>
#include <vector>

#include "server_process.h"
#include "shell_command.h"
#include "temp_dir.h"
#include "text_file.h"
#include "ttycall_binary.h"

namespace ttycall::itest {
namespace {

using Result = ShellResult;

// Runs a shell command line; stdout (and stderr when asked) is captured.
Result run(const std::string& command) {
  return run_command(command);
}

std::string generated(const std::string& name) {
  return read_file_or_empty(std::string(TTYCALL_GENERATED_DIR) + "/" + name);
}

// The subcommands `ttycall --help` lists.
std::vector<std::string> subcommands() {
  const std::string help = run(ttycall_binary() + " --help").out;
  std::vector<std::string> names;
  const size_t start = help.find("Subcommands:\n");
  if (start == std::string::npos) return names;
  std::regex line(R"(^  ([a-z][a-z0-9-]*)\s)");
  size_t at = start + 13;
  while (at < help.size() && help[at] != '\n') {
    const size_t end = help.find('\n', at);
    const std::string l = help.substr(at, end - at);
    std::smatch m;
    if (std::regex_search(l, m, line)) names.push_back(m[1]);
    at = end + 1;
  }
  return names;
}

// The long options `ttycall COMMAND --help` shows.
std::set<std::string> options_of(const std::string& command) {
  const std::string help = run(ttycall_binary() + " " + command + " --help").out;
  std::set<std::string> options;
  std::regex option(R"(^\s+(?:-[a-zA-Z],)?(--[a-z0-9][a-z0-9-]*))");
  size_t at = 0;
  while (at < help.size()) {
    size_t end = help.find('\n', at);
    if (end == std::string::npos) end = help.size();
    const std::string l = help.substr(at, end - at);
    std::smatch m;
    if (std::regex_search(l, m, option)) options.insert(m[1]);
    at = end + 1;
  }
  return options;
}

std::string roff_escaped(std::string s) {
  std::string out;
  for (char c : s) out += c == '-' ? std::string("\\-") : std::string(1, c);
  return out;
}

// The text of one command's part of a generated document: from `begin` to the next
// occurrence of `next` (or the end).
std::string section(const std::string& text, const std::string& begin, const std::string& next) {
  const size_t a = text.find(begin);
  if (a == std::string::npos) return "";
  const size_t b = text.find(next, a + begin.size());
  return text.substr(a, b == std::string::npos ? std::string::npos : b - a);
}

TEST(CommandLine, VersionAndHelpExplainThemselves) {
  const Result version = run(ttycall_binary() + " --version");
  EXPECT_EQ(version.status, 0);
  EXPECT_EQ(version.out, "ttycall 0.1.0\n");
  const Result help = run(ttycall_binary() + " --help");
  EXPECT_EQ(help.status, 0);
  for (const char* want :
       {"ttycall demo", "In a call: q quit", "TTYCALL_CLIENT_HOST", "config.toml", "--config"}) {
    EXPECT_NE(help.out.find(want), std::string::npos) << want << "\n" << help.out;
  }
  const std::vector<std::string> commands = subcommands();
  ASSERT_GE(commands.size(), 5u) << help.out;
  for (const std::string& command : commands) {
    const Result sub = run(ttycall_binary() + " " + command + " --help");
    EXPECT_EQ(sub.status, 0) << command;
    EXPECT_NE(sub.out.find("Usage: ttycall " + command), std::string::npos) << sub.out;
    // Every option says which variable sets it (`devices` has no option but --help).
    if (options_of(command).size() > 1) {
      EXPECT_NE(sub.out.find("Env:TTYCALL_" + std::string(1, char(std::toupper(command[0])))),
                std::string::npos)
          << sub.out;
    }
  }
  const Result bad = run(ttycall_binary() + " client --no-such-option 2>&1");
  EXPECT_NE(bad.status, 0);
  EXPECT_NE(bad.out.find("--no-such-option"), std::string::npos) << bad.out;
}

TEST(CommandLine, ManPageAndCompletionsCoverEverySubcommandAndOption) {
  const std::string man = generated("man/ttycall.1");
  const std::string bash = generated("completions/ttycall.bash");
  const std::string zsh = generated("completions/_ttycall");
  const std::string fish = generated("completions/ttycall.fish");
  ASSERT_FALSE(man.empty() || bash.empty() || zsh.empty() || fish.empty())
      << "the build writes them to " << TTYCALL_GENERATED_DIR;
  EXPECT_TRUE(man.starts_with(".TH TTYCALL 1"));
  for (const char* heading : {".SH SYNOPSIS", ".SH COMMANDS", ".SH KEYS IN A CALL",
                              ".SH CONFIGURATION", ".SH EXAMPLES"}) {
    EXPECT_NE(man.find(heading), std::string::npos) << heading;
  }

  // The address `client` and `rooms` take before their options.
  EXPECT_NE(section(man, ".SS \"ttycall client\"", ".S").find("\\fIHOST[:PORT][/ROOM]\\fR"),
            std::string::npos);
  EXPECT_NE(section(man, ".SS \"ttycall rooms\"", ".S").find("\\fIHOST[:PORT]\\fR"),
            std::string::npos);

  const std::vector<std::string> commands = subcommands();
  ASSERT_GE(commands.size(), 5u);
  size_t checked = 0;
  for (const std::string& command : commands) {
    const std::string man_part = section(man, ".SS \"ttycall " + command + "\"", ".S");
    const std::string bash_part = section(bash, "    " + command + ") COMPREPLY", "\n");
    const std::string zsh_part = section(zsh, "        " + command + ")\n", ";;");
    EXPECT_FALSE(man_part.empty()) << command;
    EXPECT_FALSE(bash_part.empty()) << command;
    EXPECT_FALSE(zsh_part.empty()) << command;
    EXPECT_NE(fish.find("-a " + command + " -d"), std::string::npos) << command;
    const std::set<std::string> options = options_of(command);
    EXPECT_GE(options.size(), 1u) << command;  // --help at least
    for (const std::string& option : options) {
      const std::string name = option.substr(2);
      EXPECT_NE(man_part.find("\\fB" + roff_escaped(option) + "\\fR"), std::string::npos)
          << command << " " << option << " in the man page";
      EXPECT_TRUE(bash_part.find(" " + option + " ") != std::string::npos ||
                  bash_part.find(" " + option + "\"") != std::string::npos)
          << command << " " << option << " in bash: " << bash_part;
      EXPECT_TRUE(zsh_part.find("'" + option + "[") != std::string::npos ||
                  zsh_part.find("," + option + "}") != std::string::npos ||
                  zsh_part.find("{" + option + ",") != std::string::npos)
          << command << " " << option << " in zsh";
      EXPECT_TRUE(std::regex_search(
          fish, std::regex("__fish_seen_subcommand_from " + command + "'[^\n]* -l " + name + " ")))
          << command << " " << option << " in fish";
      ++checked;
    }
  }
  EXPECT_GT(checked, 40u);
}

TEST(CommandLine, CompletionScriptsAreValidShell) {
  const std::string dir = std::string(TTYCALL_GENERATED_DIR) + "/completions/";
  EXPECT_EQ(run("bash -n " + dir + "ttycall.bash 2>&1").status, 0);
  // Completing `ttycall client --co` in bash offers --color.
  const Result offered = run("bash -c 'source " + dir +
                             "ttycall.bash; COMP_WORDS=(ttycall client --co); COMP_CWORD=2; "
                             "_ttycall; echo \"${COMPREPLY[@]}\"'");
  EXPECT_NE(offered.out.find("--color"), std::string::npos) << offered.out;
  if (run("command -v zsh").status == 0) {
    EXPECT_EQ(run("zsh -n " + dir + "_ttycall 2>&1").status, 0);
  }
  if (run("command -v fish").status == 0) {
    EXPECT_EQ(run("fish --no-execute " + dir + "ttycall.fish 2>&1").status, 0);
    const Result fish =
        run("fish -c \"source " + dir + "ttycall.fish; complete -C 'ttycall client --color '\"");
    EXPECT_NE(fish.out.find("256\t"), std::string::npos) << fish.out;
  }
}

// `ttycall mirror --snapshot` draws one frame of --size rows: the row count says which
// source the size came from.
int snapshot_rows(const std::string& environment, const std::string& flags = "") {
  const Result r = run("env -u TTYCALL_MIRROR_SIZE -u TTYCALL_CONFIG " + environment + " " +
                       ttycall_binary() + " mirror --snapshot --video test:bars " + flags);
  if (r.status != 0) return -r.status;
  return int(count_occurrences(r.out, ";1H"));
}

TEST(CommandLine, FlagBeatsEnvironmentBeatsConfigFileBeatsDefault) {
  TempDir home;
  const std::string xdg = "XDG_CONFIG_HOME=" + home.path();
  EXPECT_EQ(snapshot_rows(xdg), 24);  // the default without a terminal: 80x24

  ASSERT_EQ(std::system(("mkdir -p " + home.file("ttycall")).c_str()), 0);
  std::ofstream(home.file("ttycall/config.toml")) << "# ttycall options\n"
                                                     "[mirror]\nsize = \"20x5\"\n"
                                                     "[client]\nname = \"Ada\"\n";
  EXPECT_EQ(snapshot_rows(xdg), 5);                                               // file
  EXPECT_EQ(snapshot_rows(xdg + " TTYCALL_MIRROR_SIZE=30x6"), 6);                 // env > file
  EXPECT_EQ(snapshot_rows(xdg + " TTYCALL_MIRROR_SIZE=30x6", "--size 40x7"), 7);  // flag > env
  EXPECT_EQ(snapshot_rows(xdg, "--size 40x7"), 7);                                // flag > file

  // Another file, by --config or TTYCALL_CONFIG.
  std::ofstream(home.file("other.toml")) << "[mirror]\nsize = \"20x9\"\n";
  EXPECT_EQ(snapshot_rows(xdg, ""), 5);
  EXPECT_EQ(snapshot_rows(xdg + " TTYCALL_CONFIG=" + home.file("other.toml")), 9);
  const Result given = run("env -u TTYCALL_MIRROR_SIZE " + xdg + " " + ttycall_binary() +
                           " --config " + home.file("other.toml") + " mirror --snapshot");
  EXPECT_EQ(count_occurrences(given.out, ";1H"), 9u);

  // Flags come from the environment too (1/0, true/false, yes/no, on/off).
  const Result flag = run(xdg + " TTYCALL_MIRROR_SNAPSHOT=yes timeout 10 " + ttycall_binary() +
                          " mirror --video test:bars --size 20x4");
  EXPECT_EQ(flag.status, 0);
  EXPECT_EQ(count_occurrences(flag.out, ";1H"), 4u);

  // A mistake in the file is reported, naming the file and the key.
  std::ofstream(home.file("ttycall/config.toml")) << "[mirror]\nsise = \"20x5\"\n";
  const Result typo = run(xdg + " " + ttycall_binary() + " mirror --snapshot 2>&1");
  EXPECT_EQ(typo.status, 2);
  EXPECT_NE(typo.out.find("config.toml"), std::string::npos) << typo.out;
  EXPECT_NE(typo.out.find("mirror.sise"), std::string::npos) << typo.out;
}

// With neither XDG_CONFIG_HOME nor HOME (a service, `env -i`), keys and known_hosts have
// no folder: every command that needs one says so and names the option, and nothing is
// written to the folder it was started in.
TEST(CommandLine, WithoutHomeKeysNeverLandInTheCurrentFolder) {
  TempDir cwd;
  const std::string prefix =
      "cd " + cwd.path() + " && env -u HOME -u XDG_CONFIG_HOME " + "timeout 20 " + ttycall_binary();
  // A client with a key of its own still needs known_hosts, once it meets the server.
  ServerProcess server({}, cwd.file("server.stderr"));
  const std::string client = " client --host 127.0.0.1 --port " + std::to_string(server.port()) +
                             " --headless --duration 1";
  const std::vector<std::string> commands = {" key", " key --server",
                                             " server --bind 127.0.0.1 --port 0", client,
                                             client + " --identity " + cwd.file("given_key")};
  for (const std::string& command : commands) {
    SCOPED_TRACE(command);
    const Result r = run(prefix + command + " 2>&1");
    EXPECT_NE(r.status, 0) << r.out;
    EXPECT_NE(r.status, 124) << "it hung";
    EXPECT_NE(r.out.find("neither XDG_CONFIG_HOME nor HOME is set"), std::string::npos) << r.out;
  }
  std::vector<std::string> left;
  for (const auto& entry : std::filesystem::directory_iterator(cwd.path()))
    left.push_back(entry.path().filename().string());
  std::sort(left.begin(), left.end());
  // The client given --identity made that key (its own choice), and nothing else came.
  EXPECT_EQ(left, (std::vector<std::string>{"given_key", "server.stderr"}));
}

}  // namespace
}  // namespace ttycall::itest
