// `ttycall rooms HOST[:PORT]`: the rooms of a server that lists them (--list-rooms).
#include <unistd.h>

#include <fmt/format.h>

#include <memory>

#include "app/commands.h"
#include "client/room_lister.h"
#include "client/server_trust.h"
#include "core/console.h"
#include "core/utf8.h"

namespace ttycall::app {

Command add_rooms_command(CLI::App& app) {
  auto* cmd = app.add_subcommand(
      "rooms", "List a server's rooms and how many are in each (if it allows: --list-rooms)");
  cmd->footer(
      "Prints one room a line: its name, a tab, its member count; largest rooms first.\n"
      "Example:\n"
      "  ttycall rooms call.example.org");
  auto o = std::make_shared<client::ClientOptions>();
  auto address = std::make_shared<std::string>();
  add_address_options(*cmd, *o, *address, /*with_room=*/false);
  auto password_file = std::make_shared<std::string>();
  add_connect_security_options(*cmd, *o, *password_file, "As for `ttycall client`");
  return [o, address, password_file] {
    if (core::Status given = apply_connect_options(*address, *password_file, *o); !given.is_ok()) {
      core::write_stderr_whole("ttycall: " + given.message() + "\n");
      return given.exit_code();
    }
    if (!o->room.empty()) {
      core::write_stderr_whole("ttycall: `ttycall rooms` takes HOST[:PORT], without a room\n");
      return 2;
    }
    if (core::Status confirmed = client::confirm_first_use_at_terminal(*o); !confirmed.is_ok()) {
      core::write_stderr_whole("ttycall: " + confirmed.message() + "\n");
      return confirmed.exit_code();
    }
    core::Result<client::RoomListing> list = client::list_rooms(*o);
    if (!list.is_ok()) {
      core::write_stderr_whole("ttycall: " + list.status().message() + "\n");
      return list.status().exit_code();
    }
    std::string text;
    for (const client::ListedRoom& room : list->rooms) {
      // Names passed the room name rules on the way in; printable() is the second guard.
      text += fmt::format("{}\t{}", core::utf8::printable(room.name), room.members);
      // A cluster's rooms name their node (its address passed the address rules).
      text += room.node.empty() ? "\n" : fmt::format("\t{}\n", room.node);
    }
    if (list->total > list->rooms.size()) {
      text += fmt::format("(and {} smaller rooms)\n", list->total - list->rooms.size());
    }
    core::write_all(STDOUT_FILENO, text);
    return 0;
  };
}

}  // namespace ttycall::app
