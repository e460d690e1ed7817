#pragma once
// Where ttycall keeps its per-user files (keys, known hosts, config): $XDG_CONFIG_HOME/ttycall,
// else $HOME/.config/ttycall. Tests point XDG_CONFIG_HOME at a temporary folder.
#include <filesystem>
#include <string>

#include "core/status.h"

namespace ttycall::core {

// The folder; empty if neither XDG_CONFIG_HOME nor HOME is set.
std::filesystem::path config_dir();

// Creates `dir` and its missing parents; a folder made here gets mode 0700, since these
// folders hold keys.
Status create_private_directories(const std::filesystem::path& dir);

}  // namespace ttycall::core
