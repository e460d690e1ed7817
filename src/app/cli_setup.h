#pragma once
// What the `ttycall` command adds to its option tree once every subcommand has registered:
// where option values come from besides the command line, and the documents generated
// from the same tree (man page, shell completions), so they never drift from the options.
#include <CLI/CLI.hpp>
#include <string>
#include <vector>

namespace ttycall::app {

// The environment variable of an option: TTYCALL_<COMMAND>_<OPTION>, e.g.
// TTYCALL_CLIENT_HOST for `ttycall client --host`; dashes become underscores.
std::string env_name(const std::vector<std::string>& commands, const std::string& option);

// Gives every option of every subcommand its environment variable and reads the config
// file (--config FILE, $TTYCALL_CONFIG, or ~/.config/ttycall/config.toml when present), with
// the precedence flag > environment > file > default. Call after the subcommands are added.
// Returns the default config file's path.
std::string add_value_sources(CLI::App& app);

// The documents, generated from `app`.
std::string man_page(const CLI::App& app);
// `shell`: bash, zsh or fish; empty for an unknown shell.
std::string completion_script(const CLI::App& app, const std::string& shell);

// The subcommands a user sees (not hidden ones), and each one's visible options.
std::vector<const CLI::App*> visible_subcommands(const CLI::App& app);
std::vector<const CLI::Option*> visible_options(const CLI::App& command);

}  // namespace ttycall::app
