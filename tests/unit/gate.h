#pragma once
// For unit tests of work done on other threads: a gate that holds a worker until the test
// opens it, and a bounded wait for a condition (never a hang: it gives up after 10 s).
#include <chrono>
#include <condition_variable>
#include <mutex>
#include <thread>

namespace ttycall::test {

class Gate {
 public:
  // On the worker: says it has arrived, then waits until the gate is open.
  void pass() {
    std::unique_lock lock(mutex_);
    arrived_ = true;
    cv_.notify_all();
    cv_.wait(lock, [&] { return open_; });
  }
  // On the test: waits until a worker has arrived at the gate.
  void wait_arrived() {
    std::unique_lock lock(mutex_);
    cv_.wait(lock, [&] { return arrived_; });
  }
  bool arrived() {
    std::lock_guard lock(mutex_);
    return arrived_;
  }
  void open() {
    std::lock_guard lock(mutex_);
    open_ = true;
    cv_.notify_all();
  }

 private:
  std::mutex mutex_;
  std::condition_variable cv_;
  bool arrived_ = false;
  bool open_ = false;
};

// True as soon as `condition` holds, false if it still does not after 10 s.
template <class Condition>
bool eventually(Condition condition) {
  using namespace std::chrono_literals;
  for (int i = 0; i < 2000; ++i) {
    if (condition()) return true;
    std::this_thread::sleep_for(5ms);
  }
  return condition();
}

}  // namespace ttycall::test
