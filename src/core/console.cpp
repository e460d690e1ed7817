#include "core/console.h"

#include <fcntl.h>
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

bool write_all(int fd, std::string_view text) {
  const char* p = text.data();
  size_t left = text.size();
  while (left > 0) {
    const ssize_t n = ::write(fd, p, left);
    if (n < 0) {
      if (errno == EINTR) continue;
      return false;
    }
    p += n;
    left -= static_cast<size_t>(n);
  }
  return true;
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
