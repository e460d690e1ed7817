#include <charconv>
#include <fstream>

#include "app/commands.h"
#include "client/server_address.h"
#include "net/protocol.h"

namespace ttycall::app {

void add_render_options(CLI::App& command, media::RenderMode& render, media::ColorMode& color,
                        bool* detect) {
  command
      .add_option_function<std::string>(
          "--render",
          [&render](const std::string& text) {
            const auto mode = media::parse_render_mode(text);
            if (!mode) throw CLI::ValidationError("--render", "expected ascii or half");
            render = *mode;
          },
          "How pixels become text: ascii (luminance ramp) or half (half blocks, 2 pixels per "
          "cell)")
      ->default_str(std::string(media::to_string(render)));
  if (detect != nullptr) *detect = true;
  command
      .add_option_function<std::string>(
          "--color",
          [&color, detect](const std::string& text) {
            if (detect != nullptr) {
              *detect = text == "auto";
              if (*detect) return;
            }
            const auto mode = media::parse_color_mode(text);
            if (!mode) {
              throw CLI::ValidationError("--color", detect ? "expected auto, none, 16, 256 or true"
                                                           : "expected none, 16, 256 or true");
            }
            color = *mode;
          },
          detect ? "Colours sent to the terminal: auto (from COLORTERM and TERM), none, 16, "
                   "256 or true (24-bit)"
                 : "Colours sent to the terminal: none, 16, 256 or true (24-bit)")
      ->default_str(detect ? std::string("auto") : std::string(media::to_string(color)));
}

void add_size_option(CLI::App& command, int& cols, int& rows, const std::string& help,
                     const std::string& name, int max_cols, int max_rows) {
  command.add_option_function<std::string>(
      name,
      [&cols, &rows, name, max_cols, max_rows](const std::string& text) {
        const auto x = text.find('x');
        int c = 0, r = 0;
        const char* end = text.data() + text.size();
        const bool ok = x != std::string::npos &&
                        std::from_chars(text.data(), text.data() + x, c).ptr == text.data() + x &&
                        std::from_chars(text.data() + x + 1, end, r).ptr == end;
        if (!ok || c < 1 || r < 1 || c > max_cols || r > max_rows) {
          throw CLI::ValidationError(name, "expected COLSxROWS, e.g. 120x40 (at most " +
                                               std::to_string(max_cols) + "x" +
                                               std::to_string(max_rows) + ")");
        }
        cols = c;
        rows = r;
      },
      help);
}

void add_address_options(CLI::App& command, client::ClientOptions& options, std::string& address,
                         bool with_room) {
  command
      .add_option("address", address,
                  with_room ? "The server, as HOST[:PORT][/ROOM] (e.g. call.example.org/standup); "
                              "no room: the server's default room"
                            : "The server, as HOST[:PORT]")
      ->type_name(with_room ? "HOST[:PORT][/ROOM]" : "HOST[:PORT]");
  command.add_option("--host", options.host, "Server address")->capture_default_str();
  command.add_option("--port", options.port, "Server port")->capture_default_str();
  if (with_room) {
    command.add_option("--room", options.room,
                       "The room to join (default: the server's default room)");
  }
}

core::Status apply_address(const std::string& address, client::ClientOptions& options) {
  if (address.empty()) return core::Status::ok();
  core::Result<client::ServerAddress> parsed = client::parse_server_address(address);
  if (!parsed.is_ok()) return parsed.status();
  options.host = parsed->host;
  if (parsed->port) options.port = *parsed->port;
  if (!parsed->room.empty()) options.room = parsed->room;
  return core::Status::ok();
}

CLI::Option_group* add_connect_security_options(CLI::App& command, client::ClientOptions& options,
                                                std::string& password_file,
                                                const std::string& description) {
  auto* security = command.add_option_group("Security", description);
  security->add_flag("--insecure", options.insecure,
                     "Connect without encryption (only to a server started with --insecure)");
  security->add_flag("--insecure-even-if-pinned", options.insecure_even_if_pinned,
                     "With --insecure: connect even to a server pinned in known_hosts (one "
                     "known to encrypt)");
  security->add_option("--password", options.password, "The server's password, if it has one");
  security
      ->add_option("--password-file", password_file,
                   "Read the password from the first line of FILE (keeps it out of `ps`)")
      ->check(CLI::ExistingFile);
  security->add_option("--identity", options.identity_file,
                       "Your key file, created if missing (default: ~/.config/ttycall/client_key)");
  security->add_option("--known-hosts", options.known_hosts_file,
                       "Pinned server keys (default: ~/.config/ttycall/known_hosts)");
  security->add_option("--server-key", options.server_key,
                       "Accept only this server key (as the server prints it) instead of pinning");
  return security;
}

core::Status apply_connect_options(const std::string& address, const std::string& password_file,
                                   client::ClientOptions& options) {
  if (core::Status given = apply_address(address, options); !given.is_ok()) return given;
  if (password_file.empty()) return core::Status::ok();
  core::Result<std::string> password = read_password_file(password_file);
  if (!password.is_ok()) return password.status();
  options.password = std::move(*password);
  return core::Status::ok();
}

core::Result<std::string> read_password_file(const std::string& path) {
  std::ifstream in(path);
  std::string password;
  if (!in || !std::getline(in, password)) {
    return core::Status::invalid_input("cannot read a password from " + path);
  }
  if (!password.empty() && password.back() == '\r') password.pop_back();
  if (password.empty()) {
    return core::Status::invalid_input(path + " starts with an empty line: no password in it");
  }
  return password;
}

}  // namespace ttycall::app
