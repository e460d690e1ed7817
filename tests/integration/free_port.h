#pragma once
// Loopback ports for tests.
#include <cstdint>

namespace ttycall::itest {

// A TCP port on 127.0.0.1 that nobody listens on: bound to port 0, read back, closed.
// Throws std::runtime_error if no socket can be bound.
uint16_t unused_loopback_port();

}  // namespace ttycall::itest
