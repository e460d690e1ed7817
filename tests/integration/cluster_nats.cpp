#include "cluster_nats.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <stdexcept>

#include "free_port.h"
#include "text_file.h"
#include "wait_until.h"

namespace ttycall::itest {
namespace {

constexpr const char* kNatsServer = "/usr/sbin/nats-server";

bool accepts_connections(uint16_t port) {
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  if (fd < 0) return false;
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_port = htons(port);
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  const bool ok = ::connect(fd, reinterpret_cast<sockaddr*>(&address), sizeof address) == 0;
  ::close(fd);
  return ok;
}

}  // namespace

bool nats_server_available() {
  return std::filesystem::exists(kNatsServer);
}

NatsServer::NatsServer(const std::string& dir) : dir_(dir), port_(unused_loopback_port()) {
  start();
}

NatsServer::~NatsServer() {
  process_.kill_and_reap();
}

void NatsServer::start() {
  const std::string log = dir_ + "/nats-" + std::to_string(++starts_) + ".log";
  process_ = ChildProcess::start({kNatsServer, "-js", "-sd", dir_ + "/nats-store", "-a",
                                  "127.0.0.1", "-p", std::to_string(port_)},
                                 "/dev/null", log);
  if (!wait_until([&] { return accepts_connections(port_) || !process_.running(); },
                  std::chrono::seconds(15)) ||
      !process_.running()) {
    process_.kill_and_reap();
    throw std::runtime_error("nats-server did not start; its log:\n" + read_file_or_empty(log));
  }
}

void NatsServer::kill() {
  process_.kill_and_reap();
}

void NatsServer::restart() {
  kill();
  start();
}

}  // namespace ttycall::itest
