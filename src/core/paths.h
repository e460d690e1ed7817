#pragma once
// Where ttycall keeps its per-user files (keys, known hosts, config): $XDG_CONFIG_HOME/ttycall,
// else $HOME/.config/ttycall. Tests point XDG_CONFIG_HOME at a temporary folder.
#include <filesystem>
#include <string>
#include <string_view>

#include "core/status.h"

namespace ttycall::core {

// The folder; empty if neither XDG_CONFIG_HOME nor HOME is set.
std::filesystem::path config_dir();

// The file an option names: `given` if the user gave one, else `name` in config_dir(). With
// neither XDG_CONFIG_HOME nor HOME there is no default, and that is an error naming `option`
// (never the current directory, where keys would land wherever ttycall was started).
Result<std::filesystem::path> config_file(std::string_view given, std::string_view name,
                                          std::string_view option);

// Creates `dir` and its missing parents; a folder made here gets mode 0700, since these
// folders hold keys.
Status create_private_directories(const std::filesystem::path& dir);

// As ssh does for its keys: a file that holds a secret, or says whom to trust, must belong to
// this user and be closed to group and others. Refuses otherwise, naming the file and the fix.
Status check_private_file(const std::filesystem::path& file);

}  // namespace ttycall::core
