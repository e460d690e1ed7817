#include "pty_process.h"

#include <poll.h>
#include <pty.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <array>
#include <cerrno>
#include <cstring>
#include <stdexcept>
#include <thread>

namespace ttycall::itest {

using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;

PtyProcess::PtyProcess(const std::vector<std::string>& argv) {
  // Built before fork(): the test may have other threads, so the child may only call
  // async-signal-safe functions.
  std::vector<char*> args;
  for (const std::string& a : argv) args.push_back(const_cast<char*>(a.c_str()));
  args.push_back(nullptr);
  winsize size{};
  size.ws_col = 100;
  size.ws_row = 30;
  pid_ = ::forkpty(&master_, nullptr, nullptr, &size);
  if (pid_ < 0) throw std::runtime_error("forkpty failed: " + std::string(std::strerror(errno)));
  if (pid_ == 0) {
    ::execv(args[0], args.data());
    ::_exit(127);
  }
}

PtyProcess::~PtyProcess() {
  if (!reaped_ && pid_ > 0) {
    ::kill(pid_, SIGKILL);
    int status = 0;
    ::waitpid(pid_, &status, 0);
  }
  if (master_ >= 0) ::close(master_);
}

bool PtyProcess::read_some(std::chrono::milliseconds wait) {
  pollfd p{master_, POLLIN, 0};
  const int ready = ::poll(&p, 1, int(wait.count()));
  if (ready <= 0) return ready == 0 || errno == EINTR;
  std::array<char, 4096> buffer;
  const ssize_t n = ::read(master_, buffer.data(), buffer.size());
  if (n > 0) {
    output_.append(buffer.data(), size_t(n));
    return true;
  }
  return n < 0 && errno == EINTR;  // EIO: every writer of the slave side has gone
}

bool PtyProcess::read_until(std::string_view needle, std::chrono::milliseconds timeout) {
  const auto deadline = Clock::now() + timeout;
  while (output_.find(needle) == std::string::npos) {
    if (Clock::now() >= deadline || !read_some(100ms)) return false;
  }
  return true;
}

bool PtyProcess::type(std::string_view text) {
  return ::write(master_, text.data(), text.size()) == ssize_t(text.size());
}

std::optional<int> PtyProcess::wait_for_exit(std::chrono::milliseconds timeout) {
  const auto deadline = Clock::now() + timeout;
  while (Clock::now() < deadline) {
    read_some(50ms);
    int status = 0;
    if (::waitpid(pid_, &status, WNOHANG) == pid_) {
      reaped_ = true;
      // What it wrote just before it exited.
      for (pollfd p{master_, POLLIN, 0}; ::poll(&p, 1, 0) > 0 && read_some(0ms);) {
      }
      return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
    }
  }
  ::kill(pid_, SIGKILL);
  int status = 0;
  ::waitpid(pid_, &status, 0);
  reaped_ = true;
  return std::nullopt;
}

}  // namespace ttycall::itest
