#include "process.h"

#include <signal.h>

#include <fstream>
#include <iterator>
#include <stdexcept>
#include <thread>
#include <utility>

namespace ttycall::itest {

ChildProcess ChildProcess::start(const std::vector<std::string>& argv,
                                 const std::string& stdout_path, const std::string& stderr_path) {
  core::Result<core::ChildProcess> child =
      core::ChildProcess::spawn({argv, "", stdout_path, stderr_path});
  if (!child.is_ok()) throw std::runtime_error("ChildProcess::start: " + child.status().message());
  return ChildProcess(std::move(*child));
}

bool ChildProcess::pause(std::chrono::milliseconds timeout) {
  if (!send_signal(SIGSTOP)) return false;
  const std::string stat_path = "/proc/" + std::to_string(pid()) + "/stat";
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

}  // namespace ttycall::itest
