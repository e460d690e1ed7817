#pragma once
// A child process that never outlives its owner: the server `ttycall bench` measures, and
// the processes of the integration tests. Started with fork/exec: stdin from /dev/null,
// stdout and stderr to files, default signal handling, a session of its own (no
// controlling terminal), and SIGKILL should the thread that started it die first
// (PR_SET_PDEATHSIG). Stopped by its PID only, and always reaped: the destructor kills and
// reaps what is still running.
#include <sys/types.h>

#include <chrono>
#include <optional>
#include <string>
#include <vector>

#include "core/status.h"

namespace ttycall::core {

// How a child ended.
struct ExitStatus {
  bool exited = false;  // true: returned `code`; false: killed by `signal`
  int code = 0;
  int signal = 0;

  bool success() const { return exited && code == 0; }
  // As a shell's $? shows it: the exit code, or 128 + the signal number.
  int shell_status() const { return exited ? code : 128 + signal; }
  std::string describe() const;  // "exit code 2", "killed by signal 9 (Killed)"
};

struct ChildSpec {
  std::vector<std::string> argv;          // argv[0] included
  std::string program;                    // the file to execute; empty = argv[0] (not PATH)
  std::string stdout_path = "/dev/null";  // created or truncated
  std::string stderr_path = "/dev/null";  // may be stdout_path: both are opened to append
};

class ChildProcess {
 public:
  // Starts the child; fails when it cannot be started (the program cannot be executed, an
  // output file cannot be opened).
  static Result<ChildProcess> spawn(const ChildSpec& spec);

  ChildProcess() = default;
  ChildProcess(ChildProcess&& other) noexcept;
  ChildProcess& operator=(ChildProcess&& other) noexcept;
  ChildProcess(const ChildProcess&) = delete;
  ChildProcess& operator=(const ChildProcess&) = delete;
  ~ChildProcess();  // kill_and_reap()

  pid_t pid() const { return pid_; }
  // Reaps the child if it has ended; true until it has been reaped.
  bool running();
  // Sends `signal` if the child has not been reaped yet; returns whether it was sent.
  bool send_signal(int signal);

  // Reaps the child if it has ended, without blocking.
  std::optional<ExitStatus> poll();
  // Waits up to `timeout` for the child to end; nullopt if it is still running.
  std::optional<ExitStatus> wait_for(std::chrono::milliseconds timeout);
  // The status once reaped.
  const std::optional<ExitStatus>& status() const { return status_; }

  // SIGTERM, up to `grace` for the child to end, then SIGKILL. Returns how it ended.
  ExitStatus terminate(std::chrono::milliseconds grace);
  // SIGKILL and reap, if still running. Safe to call at any time.
  void kill_and_reap();

 private:
  explicit ChildProcess(pid_t pid) : pid_(pid) {}
  void reap(int wait_flags);
  pid_t pid_ = -1;
  std::optional<ExitStatus> status_;
};

}  // namespace ttycall::core
