#pragma once
// The `ttycall` subcommands. Each registers its options on the CLI11 app and returns the
// function that runs it once parsing has succeeded.
#include <CLI/CLI.hpp>
#include <functional>
#include <optional>

#include "client/client_options.h"
#include "core/status.h"
#include "media/render_options.h"
#include "net/protocol.h"

namespace ttycall::app {

using Command = std::function<int()>;

Command add_server_command(CLI::App& app);
Command add_client_command(CLI::App& app);
Command add_mirror_command(CLI::App& app);
Command add_demo_command(CLI::App& app);
Command add_bench_command(CLI::App& app);
Command add_key_command(CLI::App& app);
Command add_rooms_command(CLI::App& app);

// The positional HOST[:PORT][/ROOM] and the --host, --port and --room flags of `client`
// and `rooms`, bound to `options`; `address` receives the positional. The parts the
// positional names win over the flags: apply_address() puts them in after parsing.
void add_address_options(CLI::App& command, client::ClientOptions& options, std::string& address,
                         bool with_room);
core::Status apply_address(const std::string& address, client::ClientOptions& options);
// The "Security" options of `client` and `rooms` (encryption, the server's password and
// --password-file into `password_file`, the key files, --server-key), in a group described
// by `description`, which is returned for a command to add its own.
CLI::Option_group* add_connect_security_options(CLI::App& command, client::ClientOptions& options,
                                                std::string& password_file,
                                                const std::string& description);
// What `client` and `rooms` do after parsing: apply_address(), then the password from
// --password-file if one was given.
core::Status apply_connect_options(const std::string& address, const std::string& password_file,
                                   client::ClientOptions& options);

// --render ascii|half and --color none|256|true, bound to the given fields. With `detect`,
// --color also takes `auto` (the default): the terminal's colours, found at start.
void add_render_options(CLI::App& command, media::RenderMode& render, media::ColorMode& color,
                        bool* detect = nullptr);
// --size COLSxROWS, bound to the given fields; at most `max_cols` x `max_rows` (a terminal's
// largest by default).
void add_size_option(CLI::App& command, int& cols, int& rows, const std::string& help,
                     const std::string& name = "--size", int max_cols = net::kMaxTerminalCols,
                     int max_rows = net::kMaxTerminalRows);

// The first line of `path`: the password (`--password-file`).
core::Result<std::string> read_password_file(const std::string& path);
// --flip / --no-flip (unset: on for cameras, off for files) and --loop.
void add_video_options(CLI::App& command, std::optional<bool>& flip, bool& loop);
Command add_devices_command(CLI::App& app);

}  // namespace ttycall::app
