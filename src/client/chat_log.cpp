#include "client/chat_log.h"

#include <fcntl.h>
#include <fmt/format.h>
#include <unistd.h>

#include <array>
#include <cerrno>
#include <cstring>
#include <ctime>

#include "core/utf8.h"

namespace ttycall::client {

ChatLog::~ChatLog() {
  if (fd_ >= 0) ::close(fd_);
}

core::Status ChatLog::open(const std::string& path) {
  fd_ = ::open(path.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
  if (fd_ < 0) {
    return core::Status::invalid_input("cannot open the chat log " + path + ": " +
                                       std::strerror(errno));
  }
  return {};
}

void ChatLog::write(const net::ChatMessage& message) {
  if (fd_ < 0) return;
  const time_t seconds = time_t(message.time_us / 1000000);
  std::tm utc{};
  ::gmtime_r(&seconds, &utc);
  std::array<char, core::utf8::max_sanitized_size(net::kMaxNameBytes)> name;
  std::array<char, core::utf8::max_sanitized_size(net::kMaxChatTextBytes)> text;
  const size_t name_len = core::utf8::sanitize(message.sender.view(), name);
  const size_t text_len = core::utf8::sanitize(message.view(), text);
  std::array<char, 64 + name.size() + text.size()> line;
  const auto r = fmt::format_to_n(
      line.data(), line.size() - 1, "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}.{:03}Z\t{}\t{}\n",
      utc.tm_year + 1900, utc.tm_mon + 1, utc.tm_mday, utc.tm_hour, utc.tm_min, utc.tm_sec,
      message.time_us / 1000 % 1000, std::string_view(name.data(), name_len),
      std::string_view(text.data(), text_len));
  const size_t n = std::min(r.size, line.size() - 1);
  // One write: O_APPEND puts the whole line at the end. A failed write loses a line of a
  // record, not the call.
  [[maybe_unused]] const ssize_t written = ::write(fd_, line.data(), n);
}

}  // namespace ttycall::client
