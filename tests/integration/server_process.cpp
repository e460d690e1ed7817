#include "server_process.h"

#include <signal.h>

#include <regex>
#include <stdexcept>
#include <thread>

#include "text_file.h"
#include "ttycall_binary.h"
#include "wait_until.h"

namespace ttycall::itest {

ServerProcess::ServerProcess(const std::vector<std::string>& extra_args, std::string stderr_path)
    : stderr_path_(std::move(stderr_path)) {
  std::vector<std::string> argv = {ttycall_binary(), "server", "--bind",
                                   "127.0.0.1",      "--port", "0"};
  argv.insert(argv.end(), extra_args.begin(), extra_args.end());
  process_ = ChildProcess::start(argv, "/dev/null", stderr_path_);

  static const std::regex kListening(R"(ttycall server listening on 127\.0\.0\.1:(\d+))");
  std::smatch match;
  std::string text;
  const bool listening = wait_until(
      [&] {
        text = read_file_or_empty(stderr_path_);
        return std::regex_search(text, match, kListening) || !process_.running();
      },
      std::chrono::seconds(15));
  if (!listening || match.empty()) {
    const std::optional<ExitStatus> status = process_.poll();
    process_.kill_and_reap();
    throw std::runtime_error("the server did not start listening (" +
                             (status ? status->describe() : std::string("still running")) +
                             "); its stderr:\n" + read_file_or_empty(stderr_path_));
  }
  listening_since_ = std::chrono::steady_clock::now();
  port_ = uint16_t(std::stoi(match[1].str()));
}

double ServerProcess::seconds_up() const {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - listening_since_).count();
}

void ServerProcess::sleep_until_up_for(double seconds) const {
  const double left = seconds - seconds_up();
  if (left > 0) std::this_thread::sleep_for(std::chrono::duration<double>(left));
}

std::string ServerProcess::stderr_text() const {
  return read_file_or_empty(stderr_path_);
}

bool ServerProcess::wait_for_stderr(std::string_view needle, size_t count,
                                    std::chrono::milliseconds timeout) {
  return wait_until([&] { return count_occurrences(stderr_text(), needle) >= count; }, timeout);
}

std::optional<ExitStatus> ServerProcess::terminate(std::chrono::milliseconds timeout) {
  process_.send_signal(SIGTERM);
  return process_.wait_for(timeout);
}

}  // namespace ttycall::itest

namespace ttycall::itest {

std::string ServerProcess::server_key() const {
  static const std::regex kKey(R"(server key (\S+) \()");
  const std::string text = stderr_text();
  std::smatch m;
  return std::regex_search(text, m, kKey) ? m[1].str() : std::string();
}

}  // namespace ttycall::itest
