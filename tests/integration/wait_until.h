#pragma once
// Bounded polling: tests wait for conditions (a file written, a log line), never for time alone.
#include <chrono>
#include <thread>

namespace ttycall::itest {

// Calls `condition` every `step` until it returns true (-> true) or `timeout` has passed
// (-> false; the condition is checked one last time at the deadline).
template <class Condition>
bool wait_until(Condition&& condition, std::chrono::milliseconds timeout,
                std::chrono::milliseconds step = std::chrono::milliseconds(20)) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (true) {
    if (condition()) return true;
    if (std::chrono::steady_clock::now() >= deadline) return false;
    std::this_thread::sleep_for(step);
  }
}

}  // namespace ttycall::itest
