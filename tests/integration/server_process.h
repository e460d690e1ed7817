#pragma once
// A `ttycall server` (see ttycall_binary.h) under test: started on 127.0.0.1 with --port 0, its
// port read from the "ttycall server listening on 127.0.0.1:PORT" line of its stderr (kept in a
// file).
#include <chrono>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "process.h"

namespace ttycall::itest {

class ServerProcess {
 public:
  // Starts `ttycall server --bind 127.0.0.1 --port 0 <extra_args>` with stderr in
  // `stderr_path`, and waits (at most 15 s) until it listens. Throws std::runtime_error
  // with the server's stderr if it does not.
  ServerProcess(const std::vector<std::string>& extra_args, std::string stderr_path);

  uint16_t port() const { return port_; }
  ChildProcess& process() { return process_; }
  // When the server said it listens (its uptime counts from about then).
  std::chrono::steady_clock::time_point listening_since() const { return listening_since_; }
  // Seconds since listening_since().
  double seconds_up() const;
  // Sleeps until seconds_up() reaches `seconds`. Only for a measuring window (warm-up, then
  // N s of steady state), never to wait for something to happen: the server's own uptime,
  // which starts a little before it says it listens, is then at least `seconds` too.
  void sleep_until_up_for(double seconds) const;

  std::string stderr_text() const;
  // The key the server printed at start-up ("server key KEY (...)"); empty if none.
  std::string server_key() const;
  // Waits (bounded) until `needle` occurs at least `count` times in the server's stderr.
  bool wait_for_stderr(std::string_view needle, size_t count, std::chrono::milliseconds timeout);

  // SIGTERM, then wait up to `timeout` for a clean exit. nullopt if it did not exit.
  std::optional<ExitStatus> terminate(std::chrono::milliseconds timeout);

 private:
  std::string stderr_path_;
  ChildProcess process_;
  uint16_t port_ = 0;
  std::chrono::steady_clock::time_point listening_since_;
};

}  // namespace ttycall::itest
