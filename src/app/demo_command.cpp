// `ttycall demo`: a whole call in one process. A server on a free loopback port, three
// synthetic participants with moving patterns, and you, until you press q or Ctrl-C.
#include <array>
#include <asio.hpp>
#include <memory>
#include <thread>

#include "app/commands.h"
#include "client/client.h"
#include "core/console.h"
#include "server/server.h"

namespace ttycall::app {

Command add_demo_command(CLI::App& app) {
  auto* cmd = app.add_subcommand("demo", "A local call with three synthetic participants");
  auto o = std::make_shared<client::ClientOptions>();
  o->video = "test:bars";
  add_render_options(*cmd, o->render, o->color, &o->detect_color);
  add_size_option(*cmd, o->cols, o->rows, "View size COLSxROWS (default: the terminal's)");
  cmd->add_option("--duration", o->duration, "End the demo after SEC seconds")
      ->check(CLI::Range(0.0, 1e9));
  cmd->add_option("--name", o->name, "Your name in the call (default: $USER)");
  return [o] {
    core::init_logging("off");  // log lines would scribble over the call
    server::ServerOptions server_options;
    server_options.bind = "127.0.0.1";
    server_options.port = 0;
    server_options.install_signal_handlers = false;
    server_options.report_at_exit = false;
    server_options.ephemeral_identity = true;  // a throwaway key: nothing to pin or keep
    server::Server server(server_options);
    try {
      server.start();
    } catch (const std::exception& e) {
      core::write_stderr_whole(std::string("ttycall: ") + e.what() + "\n");
      return 1;
    }

    // The guests share one io thread: a synthetic participant costs little.
    static constexpr std::array<const char*, 3> kNames = {"Ada", "Grace", "Linus"};
    asio::io_context guests_io(1);
    std::array<std::unique_ptr<client::Client>, 3> guests;
    for (size_t i = 0; i < guests.size(); ++i) {
      client::ClientOptions g;
      g.port = server.port();
      g.name = kNames[i];
      g.video = "test:moving";
      g.seed = uint32_t(i + 1);
      g.headless = true;
      g.cols = 80;
      g.rows = 24;
      g.quiet = true;
      g.handle_signals = false;
      g.ephemeral_identity = true;
      g.server_key = server.public_key_text();
      guests[i] = std::make_unique<client::Client>(guests_io, g);
    }
    std::thread guests_thread([&guests_io] { guests_io.run(); });

    client::ClientOptions you = *o;
    you.port = server.port();
    you.server_key = server.public_key_text();
    const int code = client::run_call(you);
    for (auto& guest : guests) guest->stop();
    guests_thread.join();  // the guests, stopped, leave nothing pending on guests_io
    server.stop();
    server.wait();
    return code;
  };
}

}  // namespace ttycall::app
