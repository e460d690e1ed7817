// `ttycall key`: prints a public key, creating the key file on first use. A client's key
// goes into a server's --allowed-keys file; a server's key is what its clients pin.
#include <unistd.h>

#include <filesystem>
#include <memory>

#include "app/commands.h"
#include "core/console.h"
#include "core/paths.h"
#include "net/keys.h"

namespace ttycall::app {

Command add_key_command(CLI::App& app) {
  auto* cmd = app.add_subcommand(
      "key", "Print your public key (for a server's --allowed-keys), creating it if needed");
  struct KeyOptions {
    bool server = false;
    std::string identity_file;
  };
  auto o = std::make_shared<KeyOptions>();
  cmd->add_flag(
      "--server", o->server,
      "The server's key instead (the one clients pin), from ~/.config/ttycall/server_key");
  cmd->add_option("--identity", o->identity_file, "The key file (default: as client/server use)");
  return [o] {
    const core::Result<std::filesystem::path> file =
        core::config_file(o->identity_file, o->server ? "server_key" : "client_key", "--identity");
    if (!file.is_ok()) {
      core::write_stderr_whole("ttycall: " + file.status().message() + "\n");
      return file.status().exit_code();
    }
    core::Result<net::Identity> identity = net::Identity::load_or_create(file.value());
    if (!identity.is_ok()) {
      core::write_stderr_whole("ttycall: " + identity.status().message() + "\n");
      return identity.status().exit_code();
    }
    core::write_all(STDOUT_FILENO, identity->public_key().to_text() + "\n");
    return 0;
  };
}

}  // namespace ttycall::app
