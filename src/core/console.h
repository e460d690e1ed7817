#pragma once
// Writing whole messages to stderr or a file without interleaving: log lines and the
// Memory Report go through one lock and one write() each.
#include <cstdint>
#include <span>
#include <string_view>

namespace ttycall::core {

// Writes everything (retrying short writes, EINTR, and waiting out EAGAIN when the
// descriptor was made non-blocking); false on error.
bool write_all(int fd, std::span<const uint8_t> bytes);
bool write_all(int fd, std::string_view text);

// Writes `text` to stderr in one write() under the console lock.
void write_stderr_whole(std::string_view text);

// Writes `text` to `path` (replacing it) or appends, in one write(); false on error.
bool write_file_whole(const char* path, std::string_view text, bool append);

// Sets up spdlog's default logger to write through the console lock. `level` is one of
// spdlog's names ("info", "debug", "warn", ...).
void init_logging(std::string_view level);

}  // namespace ttycall::core
