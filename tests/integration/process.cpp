#include "process.h"

#include <fcntl.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <iterator>
#include <stdexcept>
#include <thread>
#include <utility>

namespace ttycall::itest {
namespace {

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

// In the forked child: only async-signal-safe calls until exec.
[[noreturn]] void exec_child(pid_t parent, char* const* argv, const char* out, const char* err) {
  ::prctl(PR_SET_PDEATHSIG, SIGKILL);
  if (::getppid() != parent) ::_exit(127);  // the test process is already gone
  // Start with default signal dispositions and an empty mask, whatever the test runner had.
  sigset_t none;
  sigemptyset(&none);
  ::sigprocmask(SIG_SETMASK, &none, nullptr);
  struct sigaction dfl {};
  dfl.sa_handler = SIG_DFL;
  for (int sig : {SIGINT, SIGTERM, SIGUSR1, SIGPIPE, SIGCHLD, SIGHUP})
    ::sigaction(sig, &dfl, nullptr);

  const int in_fd = ::open("/dev/null", O_RDONLY);
  const int out_fd = ::open(out, O_WRONLY | O_CREAT | O_TRUNC | O_APPEND, 0644);
  const int err_fd = ::open(err, O_WRONLY | O_CREAT | O_TRUNC | O_APPEND, 0644);
  if (in_fd < 0 || out_fd < 0 || err_fd < 0) ::_exit(126);
  ::dup2(in_fd, STDIN_FILENO);
  ::dup2(out_fd, STDOUT_FILENO);
  ::dup2(err_fd, STDERR_FILENO);
  ::setsid();  // no controlling terminal: the client must not find a tty
  ::execv(argv[0], argv);
  ::_exit(127);
}

}  // namespace

std::string ExitStatus::describe() const {
  if (exited) return "exit code " + std::to_string(code);
  return "killed by signal " + std::to_string(signal) + " (" + ::strsignal(signal) + ")";
}

ChildProcess ChildProcess::start(const std::vector<std::string>& argv,
                                 const std::string& stdout_path, const std::string& stderr_path) {
  if (argv.empty()) throw std::runtime_error("ChildProcess::start: empty argv");
  if (::access(argv[0].c_str(), X_OK) != 0) {
    throw std::runtime_error("ChildProcess::start: cannot execute " + argv[0] + ": " +
                             std::strerror(errno));
  }
  // Everything the child needs is prepared before fork: it must not allocate afterwards.
  std::vector<char*> args;
  args.reserve(argv.size() + 1);
  for (const std::string& a : argv) args.push_back(const_cast<char*>(a.c_str()));
  args.push_back(nullptr);
  const pid_t parent = ::getpid();
  const pid_t pid = ::fork();
  if (pid < 0) throw std::runtime_error(std::string("fork failed: ") + std::strerror(errno));
  if (pid == 0) exec_child(parent, args.data(), stdout_path.c_str(), stderr_path.c_str());
  return ChildProcess(pid);
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

bool ChildProcess::running() {
  poll();
  return pid_ > 0 && !status_;
}

bool ChildProcess::send_signal(int signal) {
  if (pid_ <= 0 || status_) return false;
  return ::kill(pid_, signal) == 0;
}

std::optional<ExitStatus> ChildProcess::poll() {
  if (pid_ <= 0 || status_) return status_;
  int raw = 0;
  pid_t r;
  do {
    r = ::waitpid(pid_, &raw, WNOHANG);
  } while (r < 0 && errno == EINTR);
  if (r == pid_) status_ = decode_status(raw);
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

bool ChildProcess::pause(std::chrono::milliseconds timeout) {
  if (!send_signal(SIGSTOP)) return false;
  const std::string stat_path = "/proc/" + std::to_string(pid_) + "/stat";
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (std::chrono::steady_clock::now() < deadline) {
    // /proc/PID/stat: "PID (comm) STATE ..."; comm may hold spaces, so look after the last ')'.
    std::ifstream in(stat_path);
    std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    const size_t paren = text.rfind(')');
    if (paren != std::string::npos && paren + 2 < text.size() && text[paren + 2] == 'T') {
      return true;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  return false;
}

void ChildProcess::resume() {
  send_signal(SIGCONT);
}

void ChildProcess::kill_and_reap() {
  if (pid_ <= 0 || status_) return;
  ::kill(pid_, SIGKILL);
  int raw = 0;
  pid_t r;
  do {
    r = ::waitpid(pid_, &raw, 0);  // bounded: SIGKILL cannot be ignored
  } while (r < 0 && errno == EINTR);
  if (r == pid_) status_ = decode_status(raw);
}

}  // namespace ttycall::itest
