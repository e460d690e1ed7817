#pragma once
// A child process for integration tests: started with fork/exec, its stdout and stderr sent
// to files, and always gone by the time the object is destroyed (killed with SIGKILL and
// reaped if it is still running), so a failing test never leaves a process behind.
// The child also gets SIGKILL if the test process dies first (PR_SET_PDEATHSIG).
#include <sys/types.h>

#include <chrono>
#include <optional>
#include <string>
#include <vector>

namespace ttycall::itest {

// How a child ended.
struct ExitStatus {
  bool exited = false;  // true: returned `code`; false: killed by `signal`
  int code = 0;
  int signal = 0;

  bool success() const { return exited && code == 0; }
  std::string describe() const;  // "exit code 2", "killed by signal 9 (Killed)"
};

class ChildProcess {
 public:
  // Starts `argv[0]` (a path, not looked up in PATH) with `argv`; stdout and stderr go to the
  // given files (created or truncated; "/dev/null" to drop). Throws std::runtime_error if the
  // process cannot be started.
  static ChildProcess start(const std::vector<std::string>& argv, const std::string& stdout_path,
                            const std::string& stderr_path);

  ChildProcess() = default;
  ChildProcess(ChildProcess&& other) noexcept;
  ChildProcess& operator=(ChildProcess&& other) noexcept;
  ChildProcess(const ChildProcess&) = delete;
  ChildProcess& operator=(const ChildProcess&) = delete;
  ~ChildProcess();  // kill_and_reap()

  pid_t pid() const { return pid_; }
  // True until the child has been reaped (by wait_for, poll or kill_and_reap).
  bool running();

  // Sends `signal` if the child has not been reaped yet; returns whether it was sent.
  bool send_signal(int signal);

  // Reaps the child if it has ended, without blocking.
  std::optional<ExitStatus> poll();
  // Waits up to `timeout` for the child to end; nullopt if it is still running.
  std::optional<ExitStatus> wait_for(std::chrono::milliseconds timeout);
  // The status once reaped.
  const std::optional<ExitStatus>& status() const { return status_; }

  // SIGSTOP, then waits (bounded) until the kernel reports the child stopped; false if it
  // did not stop in time. resume() sends SIGCONT.
  bool pause(std::chrono::milliseconds timeout);
  void resume();

  // SIGKILL and reap, if still running. Safe to call at any time.
  void kill_and_reap();

 private:
  explicit ChildProcess(pid_t pid) : pid_(pid) {}
  pid_t pid_ = -1;
  std::optional<ExitStatus> status_;
};

}  // namespace ttycall::itest
