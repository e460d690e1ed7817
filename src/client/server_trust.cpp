#include "client/server_trust.h"

#include <fmt/format.h>

#include <unistd.h>

#include <array>
#include <filesystem>

#include "client/server_key_probe.h"
#include "core/paths.h"
#include "net/known_hosts.h"
#include "net/protocol.h"

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

bool ask_to_confirm_key(std::FILE* in, std::FILE* out, std::string_view where,
                        const net::PublicKey& key) {
  const std::string text = key.to_text();
  std::fprintf(out,
               "ttycall: the server at %.*s needs a password, and this client has never seen "
               "its key:\n\n    %s\n\n"
               "A password proof sent to someone else's key would let them test guesses of the "
               "password offline.\nCompare it with the key the server printed at start-up (ask "
               "its operator).\n"
               "Is this the server's key? Pin it and send the password (yes/no): ",
               int(where.size()), where.data(), text.c_str());
  std::array<char, 256> line{};
  for (int asked = 0; asked < 3; ++asked) {
    std::fflush(out);
    if (std::fgets(line.data(), int(line.size()), in) == nullptr) break;  // end of input: no
    std::string answer(line.data());
    while (!answer.empty() &&
           (answer.back() == '\n' || answer.back() == '\r' || answer.back() == ' ')) {
      answer.pop_back();
    }
    if (answer == "yes" || answer == text) return true;
    if (answer == "no") break;
    std::fprintf(out, "Please type 'yes' or 'no': ");
  }
  std::fprintf(out, "\n");
  std::fflush(out);
  return false;
}

core::Status confirm_first_use_at_terminal(const ClientOptions& options) {
  if (options.insecure || !options.server_key.empty()) return core::Status::ok();
  if (options.password.empty() && options.room_password.empty()) return core::Status::ok();
  if (!::isatty(STDIN_FILENO) || !::isatty(STDOUT_FILENO)) return core::Status::ok();
  const std::string where = net::host_port_text(options.host, options.port);
  const core::Result<std::filesystem::path> known_hosts =
      core::config_file(options.known_hosts_file, "known_hosts", "--known-hosts");
  if (!known_hosts.is_ok()) return core::Status::ok();  // the call says what is wrong
  const core::Result<int> line = net::pinned_line(known_hosts.value(), where);
  if (!line.is_ok() || line.value() > 0) return core::Status::ok();
  // Unreachable now, or refusing: the call (which retries) says so, and still sends no
  // proof to a key it has never seen.
  core::Result<ProbedServer> probed = probe_server_key(options);
  if (!probed.is_ok()) return core::Status::ok();
  const bool needs_password = (probed->requirements & net::kNeedsPassword) != 0;
  if (!needs_password && options.room_password.empty()) return core::Status::ok();
  if (!ask_to_confirm_key(stdin, stdout, where, probed->key)) {
    return core::Status::failed(fmt::format(
        "the key of the server at {} was not confirmed: nothing was pinned and no password was "
        "sent",
        where));
  }
  core::Result<net::HostCheck> pinned =
      net::check_known_host(known_hosts.value(), where, probed->key);
  if (!pinned.is_ok()) {
    return core::Status::failed("cannot pin the server's key: " + pinned.status().message());
  }
  if (pinned->kind == net::HostCheck::Kind::kChanged) {
    return core::Status::failed(fmt::format("{} line {} now pins another key for {}: not joining",
                                            known_hosts.value().string(), pinned->line, where));
  }
  std::fprintf(stdout, "ttycall: the key of %s is now pinned in %s\n", where.c_str(),
               known_hosts.value().string().c_str());
  std::fflush(stdout);
  return core::Status::ok();
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
