#include "core/console.h"

#include <fcntl.h>
#include <poll.h>
#include <spdlog/sinks/base_sink.h>
#include <spdlog/spdlog.h>
#include <unistd.h>

#include <cerrno>
#include <memory>
#include <mutex>

namespace ttycall::core {
namespace {

std::mutex& console_mutex() {
  static std::mutex mutex;
  return mutex;
}

// spdlog sink that formats into its stack buffer and writes under the console lock.
class ConsoleSink final : public spdlog::sinks::base_sink<spdlog::details::null_mutex> {
 protected:
  void sink_it_(const spdlog::details::log_msg& msg) override {
    spdlog::memory_buf_t formatted;
    formatter_->format(msg, formatted);
    write_stderr_whole({formatted.data(), formatted.size()});
  }
  void flush_() override {}
};

}  // namespace

bool write_all(int fd, std::span<const uint8_t> bytes) {
  const uint8_t* p = bytes.data();
  size_t left = bytes.size();
  while (left > 0) {
    const ssize_t n = ::write(fd, p, left);
    if (n < 0) {
      if (errno == EINTR) continue;
      if (errno == EAGAIN || errno == EWOULDBLOCK) {
        // Someone made the descriptor non-blocking: wait until it drains.
        pollfd pfd{fd, POLLOUT, 0};
        ::poll(&pfd, 1, 1000);
        continue;
      }
      return false;
    }
    p += n;
    left -= size_t(n);
  }
  return true;
}

bool write_all(int fd, std::string_view text) {
  return write_all(fd, {reinterpret_cast<const uint8_t*>(text.data()), text.size()});
}

void write_stderr_whole(std::string_view text) {
  std::lock_guard lock(console_mutex());
  write_all(STDERR_FILENO, text);
}

bool write_file_whole(const char* path, std::string_view text, bool append) {
  const int flags = O_WRONLY | O_CREAT | O_CLOEXEC | (append ? O_APPEND : O_TRUNC);
  const int fd = ::open(path, flags, 0644);
  if (fd < 0) return false;
  const bool ok = write_all(fd, text);
  ::close(fd);
  return ok;
}

void init_logging(std::string_view level) {
  auto sink = std::make_shared<ConsoleSink>();
  auto logger = std::make_shared<spdlog::logger>("ttycall", std::move(sink));
  logger->set_pattern("[%H:%M:%S.%e] [%^%l%$] %v");
  logger->set_level(spdlog::level::from_str(std::string(level)));
  spdlog::set_default_logger(std::move(logger));
}

}  // namespace ttycall::core
