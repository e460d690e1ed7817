#pragma once
// A child process for integration tests: core::ChildProcess (src/core/child_process.h), so
// a failing test never leaves a process behind, plus what only tests need: a start that
// throws, and freezing and thawing the child (SIGSTOP, SIGCONT).
#include <chrono>
#include <string>
#include <vector>

#include "core/child_process.h"

namespace ttycall::itest {

using core::ExitStatus;

class ChildProcess : public core::ChildProcess {
 public:
  // Starts `argv[0]` (a path, not looked up in PATH) with `argv`; stdout and stderr go to the
  // given files (created or truncated; "/dev/null" to drop). Throws std::runtime_error if the
  // process cannot be started.
  static ChildProcess start(const std::vector<std::string>& argv, const std::string& stdout_path,
                            const std::string& stderr_path);

  ChildProcess() = default;

  // SIGSTOP, then waits (bounded) until the kernel reports the child stopped; false if it
  // did not stop in time. resume() sends SIGCONT.
  bool pause(std::chrono::milliseconds timeout);
  void resume();

 private:
  explicit ChildProcess(core::ChildProcess&& process) : core::ChildProcess(std::move(process)) {}
};

}  // namespace ttycall::itest
