#pragma once
// A headless `ttycall client` under test.
#include <cstdint>
#include <string>
#include <vector>

#include "process.h"

namespace ttycall::itest {

struct ClientSpec {
  std::string name = "tester";
  std::string video = "test:moving";
  std::string render = "half";  // ascii | half
  std::string color = "true";   // none | 256 | true
  std::string size = "80x24";   // COLSxROWS
  double duration = 30;         // seconds; a safety net, tests usually stop clients themselves
  std::string save_last_frame;  // empty = not saved
  std::string stats_json;       // empty = not written
  std::vector<std::string> extra_args;
};

// The full argv: TTYCALL_BINARY client --port PORT --headless ...
std::vector<std::string> client_argv(uint16_t port, const ClientSpec& spec);

// Starts the client, its stderr in `stderr_path` (stdout is dropped: headless draws nothing).
ChildProcess start_client(uint16_t port, const ClientSpec& spec, const std::string& stderr_path);

}  // namespace ttycall::itest
