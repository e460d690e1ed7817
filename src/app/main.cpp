// The `ttycall` command: subcommands and options only; the work lives in the layers below.
#include <unistd.h>
#include <CLI/CLI.hpp>
#include <cstdio>
#include <cstring>

#include "app/cli_setup.h"
#include "app/commands.h"

namespace {

constexpr const char* kFooter =
    "Start here:\n"
    "  ttycall demo                       a call with three synthetic guests, no network\n"
    "  ttycall server --bind 0.0.0.0      host a call (TCP port 27224)\n"
    "  ttycall client HOST[/ROOM]         join it; ttycall client --help for more\n"
    "\n"
    "In a call: q quit, m mute, v camera on/off, r render mode, c colours, s stats,\n"
    "f focus on the speaker (press again to pin each participant), g gallery size,\n"
    "t (or Enter) type to the room, p show or hide the chat.\n"
    "\n"
    "Every option can also come from the environment (TTYCALL_<COMMAND>_<OPTION>, e.g.\n"
    "TTYCALL_CLIENT_HOST) or from ~/.config/ttycall/config.toml ([client], [server] ...);\n"
    "a flag wins over the environment, which wins over the file. See `man ttycall`.";

// The hidden document generators: `ttycall --generate-man` and
// `ttycall --generate-completion bash|zsh|fish` (the build writes the files with them).
int generate(const CLI::App& app, int argc, char** argv) {
  std::string text;
  if (std::strcmp(argv[1], "--generate-man") == 0 && argc == 2) {
    text = ttycall::app::man_page(app);
  } else if (argc == 3) {
    text = ttycall::app::completion_script(app, argv[2]);
  }
  if (text.empty()) {
    std::fputs("usage: ttycall --generate-man | --generate-completion bash|zsh|fish\n", stderr);
    return 2;
  }
  std::fwrite(text.data(), 1, text.size(), stdout);
  return 0;
}

// A bad value may not have come from the command line: say what else was read.
void explain_other_sources(const CLI::App& app, const std::string& default_config) {
  for (char** e = environ; *e != nullptr; ++e) {
    if (std::strncmp(*e, "TTYCALL_", 8) == 0) {
      std::fprintf(stderr, "(set in the environment: %s)\n", *e);
    }
  }
  const CLI::Option* config = app.get_config_ptr();
  const std::string file =
      config != nullptr && config->count() > 0 ? config->as<std::string>() : default_config;
  if (!file.empty() && ::access(file.c_str(), R_OK) == 0) {
    std::fprintf(stderr, "(options were also read from %s)\n", file.c_str());
  }
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"ttycall: a multi-party video and voice call in your terminal", "ttycall"};
  app.set_version_flag("--version", "ttycall " TTYCALL_VERSION);
  app.require_subcommand(1);
  app.footer(kFooter);
  app.get_formatter()->column_width(32);
  const ttycall::app::Command server = ttycall::app::add_server_command(app);
  const ttycall::app::Command client = ttycall::app::add_client_command(app);
  const ttycall::app::Command mirror = ttycall::app::add_mirror_command(app);
  const ttycall::app::Command demo = ttycall::app::add_demo_command(app);
  const ttycall::app::Command bench = ttycall::app::add_bench_command(app);
  const ttycall::app::Command key = ttycall::app::add_key_command(app);
  const ttycall::app::Command rooms = ttycall::app::add_rooms_command(app);
  const ttycall::app::Command devices = ttycall::app::add_devices_command(app);
  const std::string default_config = ttycall::app::add_value_sources(app);
  if (argc >= 2 && (std::strcmp(argv[1], "--generate-man") == 0 ||
                    std::strcmp(argv[1], "--generate-completion") == 0)) {
    return generate(app, argc, argv);
  }
  try {
    app.parse(argc, argv);
  } catch (const CLI::ConfigError& e) {
    const CLI::Option* given = app.get_config_ptr();
    const std::string file =
        given != nullptr && given->count() > 0 ? given->as<std::string>() : default_config;
    std::fprintf(stderr,
                 "ttycall: config file %s: %s (keys are option names in a [command] "
                 "section; see man ttycall)\n",
                 file.c_str(), e.what());
    return 2;
  } catch (const CLI::ParseError& e) {
    const int code = app.exit(e);
    if (code != 0) explain_other_sources(app, default_config);
    return code;
  }
  if (app.got_subcommand("server")) return server();
  if (app.got_subcommand("client")) return client();
  if (app.got_subcommand("mirror")) return mirror();
  if (app.got_subcommand("demo")) return demo();
  if (app.got_subcommand("bench")) return bench();
  if (app.got_subcommand("key")) return key();
  if (app.got_subcommand("rooms")) return rooms();
  if (app.got_subcommand("devices")) return devices();
  return 2;
}
