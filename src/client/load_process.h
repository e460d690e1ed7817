#pragma once
// A child process for the load generator: the server it measures runs in a process of its
// own, so its CPU time, memory and heap figures are its own. Started with posix_spawn,
// stdin from /dev/null, stdout and stderr to a log file; always reaped, never left behind
// by a normal exit of the parent (the destructor kills what is still running).
#include <sys/types.h>

#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace ttycall::client {

class ChildProcess {
 public:
  // Runs the program at `path` with `argv` (argv[0] included), its output appended to
  // `log_path`. Returns nullptr and sets `error` when the process cannot be started.
  static std::unique_ptr<ChildProcess> spawn(const std::string& path,
                                             const std::vector<std::string>& argv,
                                             const std::string& log_path, std::string& error);
  ~ChildProcess();  // SIGKILL and reap if still running
  ChildProcess(const ChildProcess&) = delete;
  ChildProcess& operator=(const ChildProcess&) = delete;

  pid_t pid() const { return pid_; }
  // Reaps the child if it has ended; true while it runs.
  bool running();
  // Exit status once ended: the exit code, or 128 + signal number.
  std::optional<int> exit_status() const { return status_; }
  // SIGTERM, then up to `grace_seconds` for it to end, then SIGKILL. Returns the exit status.
  int terminate(double grace_seconds);

 private:
  explicit ChildProcess(pid_t pid) : pid_(pid) {}
  pid_t pid_;
  std::optional<int> status_;
};

}  // namespace ttycall::client
