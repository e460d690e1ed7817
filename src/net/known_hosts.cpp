#include "net/known_hosts.h"

#include <fcntl.h>
#include <unistd.h>

#include <fstream>
#include <optional>
#include <sstream>
#include <system_error>

#include "core/paths.h"

namespace ttycall::net {

std::string host_port_text(std::string_view host, uint16_t port) {
  const bool v6 = host.find(':') != std::string_view::npos && host.front() != '[';
  return (v6 ? "[" + std::string(host) + "]" : std::string(host)) + ":" + std::to_string(port);
}

namespace {

// The entry for `host_port`: its line number (0: none) and key (nullopt if unreadable).
struct Entry {
  int line = 0;
  std::optional<PublicKey> key;
};

core::Result<Entry> find_entry(const std::filesystem::path& file, std::string_view host_port) {
  std::error_code ec;
  if (!std::filesystem::exists(file, ec)) return Entry{};
  // Whoever can write this file decides whom the client trusts.
  if (core::Status private_file = core::check_private_file(file); !private_file.is_ok()) {
    return private_file;
  }
  std::ifstream in(file);
  std::string line;
  int number = 0;
  while (in && std::getline(in, line)) {
    ++number;
    std::istringstream fields(line);
    std::string host, key_text;
    if (!(fields >> host) || host[0] == '#' || host != host_port) continue;
    fields >> key_text;
    return Entry{number, PublicKey::from_text(key_text)};
  }
  return Entry{};
}

}  // namespace

core::Result<int> pinned_line(const std::filesystem::path& file, std::string_view host_port) {
  core::Result<Entry> entry = find_entry(file, host_port);
  if (!entry.is_ok()) return entry.status();
  return entry->line;
}

core::Result<HostCheck> check_known_host(const std::filesystem::path& file,
                                         std::string_view host_port, const PublicKey& presented) {
  HostCheck result;
  core::Result<Entry> entry = find_entry(file, host_port);
  if (!entry.is_ok()) return entry.status();
  if (entry->line > 0) {
    if (entry->key && *entry->key == presented) {
      result.kind = HostCheck::Kind::kKnown;
      return result;
    }
    result.kind = HostCheck::Kind::kChanged;
    if (entry->key) result.pinned = *entry->key;
    result.line = entry->line;
    return result;
  }
  // A failure here shows as the open() below failing.
  if (file.has_parent_path()) {
    static_cast<void>(core::create_private_directories(file.parent_path()));
  }
  const int fd = ::open(file.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
  if (fd < 0) {
    return core::Status::failed("cannot write " + file.string() + ": " +
                                std::generic_category().message(errno));
  }
  const std::string pin = std::string(host_port) + " " + presented.to_text() + "\n";
  const bool ok = ::write(fd, pin.data(), pin.size()) == ssize_t(pin.size());
  ::close(fd);
  if (!ok) return core::Status::failed("cannot write " + file.string());
  result.kind = HostCheck::Kind::kPinnedNow;
  return result;
}

}  // namespace ttycall::net
