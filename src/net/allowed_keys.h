#pragma once
// The clients a server lets in with --allowed-keys FILE: one public key per line (as
// `ttycall key` prints it), optionally followed by a comment; '#' starts a comment line.
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "core/status.h"
#include "net/keys.h"

namespace ttycall::net {

// Fails (naming the file and line) if the file cannot be read or a line is not a key.
core::Result<std::vector<PublicKey>> load_allowed_keys(const std::filesystem::path& file);

}  // namespace ttycall::net
