// The `ttycall` command: subcommands and options only; the work lives in the layers below.
#include <CLI/CLI.hpp>

#include "app/commands.h"

int main(int argc, char** argv) {
  CLI::App app{"ttycall: a multi-party video and voice call in your terminal"};
  app.set_version_flag("--version", "ttycall 0.1.0");
  app.require_subcommand(1);
  const ttycall::app::Command server = ttycall::app::add_server_command(app);
  const ttycall::app::Command client = ttycall::app::add_client_command(app);
  const ttycall::app::Command mirror = ttycall::app::add_mirror_command(app);
  const ttycall::app::Command demo = ttycall::app::add_demo_command(app);
  const ttycall::app::Command bench = ttycall::app::add_bench_command(app);
  const ttycall::app::Command key = ttycall::app::add_key_command(app);
  const ttycall::app::Command devices = ttycall::app::add_devices_command(app);
  CLI11_PARSE(app, argc, argv);
  if (app.got_subcommand("server")) return server();
  if (app.got_subcommand("client")) return client();
  if (app.got_subcommand("mirror")) return mirror();
  if (app.got_subcommand("demo")) return demo();
  if (app.got_subcommand("bench")) return bench();
  if (app.got_subcommand("key")) return key();
  if (app.got_subcommand("devices")) return devices();
  return 2;
}
