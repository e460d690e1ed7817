#include "server/render_workers.h"

#include "core/alloc_accounting.h"

namespace ttycall::server {
namespace {

const core::AllocSite& scratch_site() {
  static const core::AllocSite site("compositor.scratch");
  return site;
}

}  // namespace

RenderWorkers::RenderWorkers(int helper_threads) {
  for (int i = 0; i <= helper_threads; ++i) {
    encoders_.push_back(std::make_unique<ViewEncoder>(scratch_site()));
  }
  for (int i = 0; i < helper_threads; ++i) {
    threads_.emplace_back([this, i] { helper(size_t(i) + 1); });
  }
}

RenderWorkers::~RenderWorkers() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  work_ready_.notify_all();
  for (std::thread& t : threads_) t.join();
}

void RenderWorkers::helper(size_t index) {
  uint64_t seen = 0;
  for (;;) {
    RenderJob* job;
    {
      std::unique_lock lock(mutex_);
      work_ready_.wait(lock, [&] { return stopping_ || generation_ != seen; });
      if (stopping_) return;
      seen = generation_;
      job = job_;
    }
    job->render_pending(*encoders_[index]);
    std::lock_guard lock(mutex_);
    if (--busy_ == 0) work_done_.notify_one();
  }
}

void RenderWorkers::fit_scratch(ViewSize largest) {
  for (const std::unique_ptr<ViewEncoder>& encoder : encoders_) encoder->fit(largest);
}

void RenderWorkers::run(RenderJob& job, bool share) {
  if (!share || threads_.empty()) {
    job.render_pending(*encoders_[0]);
    return;
  }
  {
    std::lock_guard lock(mutex_);
    job_ = &job;
    busy_ = int(threads_.size());
    ++generation_;
  }
  work_ready_.notify_all();
  job.render_pending(*encoders_[0]);
  std::unique_lock lock(mutex_);
  work_done_.wait(lock, [&] { return busy_ == 0; });
  job_ = nullptr;
}

}  // namespace ttycall::server
