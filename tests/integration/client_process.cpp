#include "client_process.h"

#include <cstdio>

#include "ttycall_binary.h"

namespace ttycall::itest {

std::vector<std::string> client_argv(uint16_t port, const ClientSpec& spec) {
  char duration[32];
  std::snprintf(duration, sizeof duration, "%.3f", spec.duration);
  std::vector<std::string> argv = {
      ttycall_binary(), "client",   "--host",  "127.0.0.1", "--port",     std::to_string(port),
      "--name",         spec.name,  "--video", spec.video,  "--render",   spec.render,
      "--color",        spec.color, "--size",  spec.size,   "--duration", duration,
      "--headless"};
  if (!spec.save_last_frame.empty()) {
    argv.push_back("--save-last-frame");
    argv.push_back(spec.save_last_frame);
  }
  if (!spec.stats_json.empty()) {
    argv.push_back("--stats-json");
    argv.push_back(spec.stats_json);
  }
  argv.insert(argv.end(), spec.extra_args.begin(), spec.extra_args.end());
  return argv;
}

ChildProcess start_client(uint16_t port, const ClientSpec& spec, const std::string& stderr_path) {
  return ChildProcess::start(client_argv(port, spec), "/dev/null", stderr_path);
}

}  // namespace ttycall::itest
