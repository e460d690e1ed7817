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

std::string ensure_config_dir() {
  const std::filesystem::path dir = config_dir();
  if (dir.empty()) return "neither XDG_CONFIG_HOME nor HOME is set";
  std::error_code ec;
  std::filesystem::create_directories(dir, ec);
  if (ec) return "cannot create " + dir.string() + ": " + ec.message();
  std::filesystem::permissions(dir, std::filesystem::perms::owner_all,
                               std::filesystem::perm_options::replace, ec);
  return {};
}

}  // namespace ttycall::core
