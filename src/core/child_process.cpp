#include "core/child_process.h"

#include <fcntl.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <array>
#include <cerrno>
#include <cstring>
#include <thread>
#include <utility>

namespace ttycall::core {
namespace {

// What the child reports through the pipe when it cannot exec: the step and its errno.
enum class FailedStep : int { kStdin, kStdout, kStderr, kExec };

ExitStatus decode_status(int raw) {
  ExitStatus s;
  if (WIFEXITED(raw)) {
    s.exited = true;
    s.code = WEXITSTATUS(raw);
  } else if (WIFSIGNALED(raw)) {
    s.signal = WTERMSIG(raw);
  }
  return s;
}

struct ExecArgs {
  const char* program;
  char* const* argv;
  const char* stdout_path;
  const char* stderr_path;
  int report_fd;  // close-on-exec: the parent reads EOF once exec succeeds
};

[[noreturn]] void report_and_exit(int report_fd, FailedStep step) {
  const std::array<int, 2> failure = {int(step), errno};
  [[maybe_unused]] const ssize_t n = ::write(report_fd, failure.data(), sizeof(failure));
  ::_exit(127);
}

int open_onto(const char* path, int flags, int target) {
  const int fd = ::open(path, flags, 0644);
  if (fd < 0) return -1;
  if (fd != target && (::dup2(fd, target) < 0 || ::close(fd) < 0)) return -1;
  return target;
}

// In the forked child: only async-signal-safe calls until exec.
[[noreturn]] void exec_child(pid_t parent, const ExecArgs& a) {
  ::prctl(PR_SET_PDEATHSIG, SIGKILL);
  if (::getppid() != parent) ::_exit(127);  // the parent is already gone
  // Default signal dispositions and an empty mask, whatever the parent had.
  sigset_t none;
  sigemptyset(&none);
  ::sigprocmask(SIG_SETMASK, &none, nullptr);
  struct sigaction dfl {};
  dfl.sa_handler = SIG_DFL;
  for (int sig = 1; sig < NSIG; ++sig) ::sigaction(sig, &dfl, nullptr);  // fails for KILL, STOP

  constexpr int kOutFlags = O_WRONLY | O_CREAT | O_TRUNC | O_APPEND;
  if (open_onto("/dev/null", O_RDONLY, STDIN_FILENO) < 0) {
    report_and_exit(a.report_fd, FailedStep::kStdin);
  }
  if (open_onto(a.stdout_path, kOutFlags, STDOUT_FILENO) < 0) {
    report_and_exit(a.report_fd, FailedStep::kStdout);
  }
  if (open_onto(a.stderr_path, kOutFlags, STDERR_FILENO) < 0) {
    report_and_exit(a.report_fd, FailedStep::kStderr);
  }
  ::setsid();  // no controlling terminal: a client must not find a tty
  ::execv(a.program, a.argv);
  report_and_exit(a.report_fd, FailedStep::kExec);
}

std::string describe_failure(const ChildSpec& spec, const char* program, FailedStep step,
                             int error) {
  const char* reason = std::strerror(error);
  switch (step) {
    case FailedStep::kStdin:
      return std::string("cannot open /dev/null for ") + program + ": " + reason;
    case FailedStep::kStdout:
      return "cannot open " + spec.stdout_path + " for the output of " + program + ": " + reason;
    case FailedStep::kStderr:
      return "cannot open " + spec.stderr_path + " for the output of " + program + ": " + reason;
    case FailedStep::kExec:
      break;
  }
  return std::string("cannot start ") + program + ": " + reason;
}

}  // namespace

std::string ExitStatus::describe() const {
  if (exited) return "exit code " + std::to_string(code);
  return "killed by signal " + std::to_string(signal) + " (" + ::strsignal(signal) + ")";
}

Result<ChildProcess> ChildProcess::spawn(const ChildSpec& spec) {
  if (spec.argv.empty()) return Status::invalid_input("cannot start a process without argv");
  // Everything the child needs is prepared before fork: it must not allocate afterwards.
  const char* program = spec.program.empty() ? spec.argv[0].c_str() : spec.program.c_str();
  std::vector<char*> argv;
  argv.reserve(spec.argv.size() + 1);
  for (const std::string& a : spec.argv) argv.push_back(const_cast<char*>(a.c_str()));
  argv.push_back(nullptr);
  std::array<int, 2> report{};
  if (::pipe2(report.data(), O_CLOEXEC) != 0) {
    return Status::failed(std::string("cannot start ") + program + ": " + std::strerror(errno));
  }
  const ExecArgs args{program, argv.data(), spec.stdout_path.c_str(), spec.stderr_path.c_str(),
                      report[1]};
  const pid_t parent = ::getpid();
  const pid_t pid = ::fork();
  if (pid == 0) exec_child(parent, args);
  const int fork_errno = errno;
  ::close(report[1]);
  if (pid < 0) {
    ::close(report[0]);
    return Status::failed(std::string("cannot start ") + program +
                          ": fork failed: " + std::strerror(fork_errno));
  }
  ChildProcess child(pid);
  std::array<int, 2> failure{};
  ssize_t n;
  do {
    n = ::read(report[0], failure.data(), sizeof(failure));
  } while (n < 0 && errno == EINTR);
  ::close(report[0]);
  if (n != ssize_t(sizeof(failure))) return child;  // EOF: exec succeeded
  child.reap(0);
  return Status::failed(describe_failure(spec, program, FailedStep(failure[0]), failure[1]));
}

ChildProcess::ChildProcess(ChildProcess&& other) noexcept
    : pid_(std::exchange(other.pid_, -1)), status_(std::exchange(other.status_, std::nullopt)) {}

ChildProcess& ChildProcess::operator=(ChildProcess&& other) noexcept {
  if (this != &other) {
    kill_and_reap();
    pid_ = std::exchange(other.pid_, -1);
    status_ = std::exchange(other.status_, std::nullopt);
  }
  return *this;
}

ChildProcess::~ChildProcess() {
  kill_and_reap();
}

void ChildProcess::reap(int wait_flags) {
  if (pid_ <= 0 || status_) return;
  int raw = 0;
  pid_t r;
  do {
    r = ::waitpid(pid_, &raw, wait_flags);
  } while (r < 0 && errno == EINTR);
  if (r == pid_) {
    status_ = decode_status(raw);
  } else if (r < 0) {
    status_ = ExitStatus{true, 255, 0};  // reaped elsewhere (SIGCHLD ignored): status lost
  }
}

bool ChildProcess::running() {
  reap(WNOHANG);
  return pid_ > 0 && !status_;
}

bool ChildProcess::send_signal(int signal) {
  if (pid_ <= 0 || status_) return false;
  return ::kill(pid_, signal) == 0;
}

std::optional<ExitStatus> ChildProcess::poll() {
  reap(WNOHANG);
  return status_;
}

std::optional<ExitStatus> ChildProcess::wait_for(std::chrono::milliseconds timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (!poll()) {
    if (pid_ <= 0 || std::chrono::steady_clock::now() >= deadline) return std::nullopt;
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  return status_;
}

ExitStatus ChildProcess::terminate(std::chrono::milliseconds grace) {
  send_signal(SIGTERM);
  if (!wait_for(grace)) kill_and_reap();
  return status_.value_or(ExitStatus{});
}

void ChildProcess::kill_and_reap() {
  if (pid_ <= 0 || status_) return;
  ::kill(pid_, SIGKILL);
  reap(0);  // bounded: SIGKILL cannot be ignored
}

}  // namespace ttycall::core
