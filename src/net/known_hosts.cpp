#include "net/known_hosts.h"

#include <fcntl.h>
#include <unistd.h>

#include <fstream>
#include <sstream>
#include <system_error>

#include "core/paths.h"

namespace ttycall::net {

std::string host_port_text(std::string_view host, uint16_t port) {
  const bool v6 = host.find(':') != std::string_view::npos && host.front() != '[';
  return (v6 ? "[" + std::string(host) + "]" : std::string(host)) + ":" + std::to_string(port);
}

core::Result<HostCheck> check_known_host(const std::filesystem::path& file,
                                         std::string_view host_port, const PublicKey& presented) {
  HostCheck result;
  std::error_code ec;
  if (std::filesystem::exists(file, ec)) {
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
      const std::optional<PublicKey> key = PublicKey::from_text(key_text);
      if (key && *key == presented) {
        result.kind = HostCheck::Kind::kKnown;
        return result;
      }
      result.kind = HostCheck::Kind::kChanged;
      if (key) result.pinned = *key;
      result.line = number;
      return result;
    }
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
  const std::string entry = std::string(host_port) + " " + presented.to_text() + "\n";
  const bool ok = ::write(fd, entry.data(), entry.size()) == ssize_t(entry.size());
  ::close(fd);
  if (!ok) return core::Status::failed("cannot write " + file.string());
  result.kind = HostCheck::Kind::kPinnedNow;
  return result;
}

}  // namespace ttycall::net
