#include "core/paths.h"

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

Status create_private_directories(const std::filesystem::path& dir) {
  std::error_code ec;
  if (std::filesystem::create_directories(dir, ec)) {
    std::filesystem::permissions(dir, std::filesystem::perms::owner_all, ec);
  }
  return ec ? Status::failed("cannot create " + dir.string() + ": " + ec.message()) : Status::ok();
}

}  // namespace ttycall::core
