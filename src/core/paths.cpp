#include "core/paths.h"

#include <fmt/format.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <system_error>

namespace ttycall::core {

std::filesystem::path config_dir() {
  if (const char* xdg = std::getenv("XDG_CONFIG_HOME"); xdg != nullptr && xdg[0] != '\0') {
    return std::filesystem::path(xdg) / "ttycall";
  }
  if (const char* home = std::getenv("HOME"); home != nullptr && home[0] != '\0') {
    return std::filesystem::path(home) / ".config" / "ttycall";
  }
  return {};
}

Result<std::filesystem::path> config_file(std::string_view given, std::string_view name,
                                          std::string_view option) {
  if (!given.empty()) return std::filesystem::path(given);
  const std::filesystem::path dir = config_dir();
  if (dir.empty()) {
    return Status::invalid_input(
        fmt::format("neither XDG_CONFIG_HOME nor HOME is set, so there is no folder for {}: set "
                    "HOME, or give {} FILE",
                    name, option));
  }
  return dir / name;
}

Status create_private_directories(const std::filesystem::path& dir) {
  std::error_code ec;
  if (std::filesystem::create_directories(dir, ec)) {
    std::filesystem::permissions(dir, std::filesystem::perms::owner_all, ec);
  }
  return ec ? Status::failed("cannot create " + dir.string() + ": " + ec.message()) : Status::ok();
}

Status check_private_file(const std::filesystem::path& file) {
  struct stat st {};
  if (::stat(file.c_str(), &st) != 0) {
    return Status::failed(
        fmt::format("cannot read {}: {}", file.string(), std::generic_category().message(errno)));
  }
  if (st.st_uid != ::geteuid()) {
    return Status::invalid_input(fmt::format(
        "{} belongs to user id {}, not to you (user id {}): refusing to use it; copy it to a file "
        "of your own, or run as its owner",
        file.string(), st.st_uid, ::geteuid()));
  }
  if ((st.st_mode & (S_IRWXG | S_IRWXO)) != 0) {
    return Status::invalid_input(
        fmt::format("{} is open to group or others (mode {:04o}): refusing to use it; run "
                    "`chmod 600 {}`",
                    file.string(), st.st_mode & 07777, file.string()));
  }
  return Status::ok();
}

}  // namespace ttycall::core
