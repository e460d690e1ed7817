#pragma once
// A real nats-server with JetStream for cluster tests: on a free loopback port, its store
// in a directory of the test's, stopped by its PID (kill() is kill -9; stop() a SIGTERM).
// restart() starts it again on the same port and store, as after a crash.
#include <cstdint>
#include <string>

#include "process.h"

namespace ttycall::itest {

// Whether Debian's nats-server is installed (`make test` installs it).
bool nats_server_available();

class NatsServer {
 public:
  // Starts it in `dir` (its store and log there) and waits (at most 15 s) until it takes
  // connections. Throws std::runtime_error with its log if it does not.
  explicit NatsServer(const std::string& dir);
  ~NatsServer();
  NatsServer(const NatsServer&) = delete;
  NatsServer& operator=(const NatsServer&) = delete;

  uint16_t port() const { return port_; }
  std::string url() const { return "nats://127.0.0.1:" + std::to_string(port_); }
  void kill();
  void restart();

 private:
  void start();
  std::string dir_;
  uint16_t port_ = 0;
  int starts_ = 0;
  ChildProcess process_;
};

}  // namespace ttycall::itest
