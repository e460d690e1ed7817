#pragma once
// Runs one short exchange with a server (a room list, a key probe) on its own
// single-threaded io_context until it is done or a deadline passes.
#include <asio.hpp>

#include "core/clock.h"

namespace ttycall::client {

// `exchange` has start(), time_out() and done(); it was made on `io`.
template <class Exchange>
void run_exchange(asio::io_context& io, Exchange& exchange, double timeout_seconds) {
  asio::steady_timer deadline(io, core::to_duration(timeout_seconds));
  deadline.async_wait([&](const asio::error_code& ec) {
    if (!ec) exchange.time_out();
  });
  exchange.start();
  while (!exchange.done() && io.run_one()) {
  }
  // Let the cancelled handlers run out while the connection they belong to still exists.
  deadline.cancel();
  io.restart();
  io.run();
}

}  // namespace ttycall::client
