#include "client/server_trust.h"

#include <fmt/format.h>

#include <filesystem>

#include "core/paths.h"
#include "net/known_hosts.h"

namespace ttycall::client {

core::Status check_insecure_allowed(const ClientOptions& options, std::string_view where) {
  if (options.insecure_even_if_pinned) return core::Status::ok();
  const core::Result<std::filesystem::path> known_hosts =
      core::config_file(options.known_hosts_file, "known_hosts", "--known-hosts");
  if (!known_hosts.is_ok()) return core::Status::ok();  // no known_hosts: nothing is pinned
  const core::Result<int> line = net::pinned_line(known_hosts.value(), where);
  if (!line.is_ok()) return line.status();
  if (line.value() == 0) return core::Status::ok();
  return core::Status::invalid_input(fmt::format(
      "{} is pinned in {} (line {}) as a server that encrypts: refusing to connect without "
      "encryption. If you are sure, say --insecure-even-if-pinned as well",
      where, known_hosts.value().string(), line.value()));
}

core::Status check_password_recipient(const ClientOptions& options, std::string_view where,
                                      const net::PublicKey& key) {
  if (!options.server_key.empty()) return core::Status::ok();  // checked to be exactly it
  const core::Result<std::filesystem::path> known_hosts =
      core::config_file(options.known_hosts_file, "known_hosts", "--known-hosts");
  if (!known_hosts.is_ok()) return known_hosts.status();
  const core::Result<int> line = net::pinned_line(known_hosts.value(), where);
  if (!line.is_ok()) return line.status();
  if (line.value() > 0) return core::Status::ok();  // check_server_key() compares it
  return core::Status::failed(fmt::format(
      "the server at {} shows key {}, which this client has never seen; a password proof sent "
      "to an unconfirmed key would let an impostor test guesses of the password offline, so "
      "none was sent. Ask the server's operator for its key (the server prints it at start-up) "
      "and connect again with --server-key {} if it matches",
      where, key.to_text(), key.to_text()));
}

core::Result<std::string> check_server_key(const ClientOptions& options, std::string_view where,
                                           const net::PublicKey& key) {
  if (!options.server_key.empty()) {
    if (key.to_text() == options.server_key) return std::string();
    return core::Status::failed(
        fmt::format("the server at {} presented key {}, not the expected {}; not joining", where,
                    key.to_text(), options.server_key));
  }
  const core::Result<std::filesystem::path> known_hosts =
      core::config_file(options.known_hosts_file, "known_hosts", "--known-hosts");
  if (!known_hosts.is_ok()) return known_hosts.status();
  const std::filesystem::path& file = known_hosts.value();
  const core::Result<net::HostCheck> checked = net::check_known_host(file, where, key);
  if (!checked.is_ok()) {
    return core::Status::failed("cannot check the server's key: " + checked.status().message());
  }
  const net::HostCheck& check = checked.value();
  switch (check.kind) {
    case net::HostCheck::Kind::kKnown:
      return std::string();
    case net::HostCheck::Kind::kPinnedNow:
      return fmt::format("first connection to {}: its key {} is now pinned in {}", where,
                         key.to_text(), file.string());
    case net::HostCheck::Kind::kChanged:
      return core::Status::key_changed(fmt::format(
          "@@@ THE SERVER'S KEY HAS CHANGED @@@\n"
          "  server:    {}\n"
          "  pinned:    {} ({} line {})\n"
          "  presented: {}\n"
          "Someone may be intercepting this call, or the server got a new key.\n"
          "Not joining. If its operator confirms the new key (the server prints it at start-up),\n"
          "delete line {} of {} and connect again.",
          where, check.pinned.to_text(), file.string(), check.line, key.to_text(), check.line,
          file.string()));
  }
  return core::Status::failed("cannot check the server's key");
}

}  // namespace ttycall::client
