#include "app/commands.h"
#include "client/device_list.h"
#include "core/console.h"

namespace ttycall::app {

Command add_devices_command(CLI::App& app) {
  app.add_subcommand("devices", "List cameras (with their formats) and microphones");
  return [] {
    const std::string text = ttycall::client::describe_devices();
    return core::write_all(STDOUT_FILENO, text) ? 0 : 1;
  };
}

}  // namespace ttycall::app
