#pragma once
// Trust on first use: the client remembers each server's identity key the first time it
// connects (one "HOST:PORT KEY" line in known_hosts) and refuses a different key later.
#include <filesystem>
#include <string>
#include <string_view>

#include "core/status.h"
#include "net/keys.h"

namespace ttycall::net {

struct HostCheck {
  // A check never filled in refuses.
  enum class Kind { kKnown, kPinnedNow, kChanged } kind = Kind::kChanged;
  PublicKey pinned;  // kChanged: the key on file
  int line = 0;      // kChanged: its line number in the file
};

// Looks `host_port` up in `file` (created if missing) and pins `presented` if it is new;
// fails if the file cannot be written.
core::Result<HostCheck> check_known_host(const std::filesystem::path& file,
                                         std::string_view host_port, const PublicKey& presented);

// The line of `file` that pins `host_port` (0: none, or no file), without pinning anything.
core::Result<int> pinned_line(const std::filesystem::path& file, std::string_view host_port);

// "HOST:PORT", with IPv6 addresses in brackets.
std::string host_port_text(std::string_view host, uint16_t port);

}  // namespace ttycall::net
