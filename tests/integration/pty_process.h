#pragma once
// A program run with a pseudo-terminal as its stdin, stdout and stderr, for tests that
// talk to it as a person at a terminal would: read what it wrote, type an answer. Killed
// (SIGKILL) when the object goes, if it is still running.
#include <sys/types.h>

#include <chrono>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace ttycall::itest {

class PtyProcess {
 public:
  // Starts `argv[0]` (a path) with `argv`; throws std::runtime_error if it cannot.
  explicit PtyProcess(const std::vector<std::string>& argv);
  ~PtyProcess();
  PtyProcess(const PtyProcess&) = delete;
  PtyProcess& operator=(const PtyProcess&) = delete;

  // Reads until what it wrote contains `needle` (true) or `timeout` passes or it closes
  // the terminal (false).
  bool read_until(std::string_view needle, std::chrono::milliseconds timeout);
  // Types `text` (as a person would, "yes\n").
  bool type(std::string_view text);
  // Reads until it exits (its exit code, -1 if killed by a signal) or `timeout` passes
  // (nullopt; it is then killed).
  std::optional<int> wait_for_exit(std::chrono::milliseconds timeout);
  // Everything it wrote so far.
  const std::string& output() const { return output_; }

 private:
  // One read of what is there within `wait`; false once the terminal is closed.
  bool read_some(std::chrono::milliseconds wait);

  pid_t pid_ = -1;
  int master_ = -1;
  bool reaped_ = false;
  std::string output_;
};

}  // namespace ttycall::itest
