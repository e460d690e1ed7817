#pragma once
// A shell command line run to its end, for tests of what the binary prints and returns (its
// exit code too, unlike tmux_session.h's run_shell).
#include <string>

namespace ttycall::itest {

struct ShellResult {
  int status = -1;  // the exit code; -1 if it did not exit normally
  std::string out;  // its stdout (add 2>&1 to the command for stderr too)
};

ShellResult run_command(const std::string& command);

}  // namespace ttycall::itest
