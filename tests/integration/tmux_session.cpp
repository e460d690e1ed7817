#include "tmux_session.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <array>
#include <cstdio>
#include <cstdlib>

namespace ttycall::itest {

std::string run_shell(const std::string& command) {
  std::string out;
  FILE* pipe = ::popen(command.c_str(), "r");
  if (pipe == nullptr) return out;
  std::array<char, 4096> buffer;
  while (size_t n = std::fread(buffer.data(), 1, buffer.size(), pipe)) out.append(buffer.data(), n);
  ::pclose(pipe);
  return out;
}

bool have_tmux() {
  return std::system("command -v tmux >/dev/null 2>&1") == 0;
}

TmuxSession::TmuxSession(const std::string& tag)
    : socket_("ttycall-test-" + std::to_string(::getpid()) + "-" +
              ::testing::UnitTest::GetInstance()->current_test_info()->name() +
              (tag.empty() ? "" : "-" + tag)) {}

TmuxSession::~TmuxSession() {
  run_shell(tmux() + " kill-server 2>/dev/null");
}

void TmuxSession::start(int cols, int rows, const std::string& command) {
  run_shell(tmux() + " new-session -d -s t -x " + std::to_string(cols) + " -y " +
            std::to_string(rows) + " '" + command + "'");
}

std::string TmuxSession::screen() const {
  return run_shell(tmux() + " capture-pane -p -t t");
}

std::string TmuxSession::rows_with_colours(int first, int last) const {
  return run_shell(tmux() + " capture-pane -p -e -t t -S " + std::to_string(first) + " -E " +
                   std::to_string(last));
}

void TmuxSession::keys(const std::string& keys) const {
  run_shell(tmux() + " send-keys -t t " + keys);
}

std::string last_line(const std::string& screen) {
  size_t end = screen.find_last_not_of('\n');
  if (end == std::string::npos) return "";
  const size_t start = screen.rfind('\n', end);
  return screen.substr(start == std::string::npos ? 0 : start + 1,
                       end - (start == std::string::npos ? 0 : start + 1) + 1);
}

bool contains(const std::string& s, const std::string& what) {
  return s.find(what) != std::string::npos;
}

}  // namespace ttycall::itest
