#pragma once
// The threads that render views, shared by every room's compositor.
//
// Distinct views are independent work, so a compositor with more than one view to render
// in a tick shares them out among the tick's own thread and these helpers, each with a
// ViewEncoder of its own. Every compositor ticks on the one control thread, so one job
// runs at a time. Scratch buffers grow when a bigger view first appears and are reused
// after that, until the largest views are gone (fit_scratch).
#include <condition_variable>
#include <cstdint>
#include <memory>
#include <mutex>
#include <thread>
#include <vector>

#include "server/view_encoder.h"

namespace ttycall::server {

// Work that can be shared: render_pending() takes views off a shared list until none is
// left, so it may run on several threads at once.
class RenderJob {
 public:
  virtual void render_pending(ViewEncoder& encoder) = 0;

 protected:
  ~RenderJob() = default;
};

class RenderWorkers {
 public:
  explicit RenderWorkers(int helper_threads);
  ~RenderWorkers();
  RenderWorkers(const RenderWorkers&) = delete;
  RenderWorkers& operator=(const RenderWorkers&) = delete;

  // Runs `job` on the calling thread and, when `share` and there are helpers, on every
  // helper too; returns once all of them are done.
  void run(RenderJob& job, bool share);
  // Lets each encoder's scratch go down to what a view of `largest` needs, once it holds
  // far more (the large views left). Call between runs, on the thread that calls run().
  void fit_scratch(ViewSize largest);

 private:
  void helper(size_t index);

  std::vector<std::unique_ptr<ViewEncoder>> encoders_;  // [0]: the caller's; [i]: helper i-1
  std::vector<std::thread> threads_;
  std::mutex mutex_;
  std::condition_variable work_ready_;
  std::condition_variable work_done_;
  RenderJob* job_ = nullptr;
  uint64_t generation_ = 0;
  int busy_ = 0;
  bool stopping_ = false;
};

}  // namespace ttycall::server
