#include "server/decode_workers.h"

#include <algorithm>

namespace ttycall::server {

DecodeWorkers::DecodeWorkers(int threads) {
  const int n = std::max(1, threads);
  threads_.reserve(size_t(n));
  for (int i = 0; i < n; ++i) threads_.emplace_back([this] { work(); });
}

DecodeWorkers::~DecodeWorkers() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  work_ready_.notify_all();
  for (std::thread& t : threads_) t.join();
}

void DecodeWorkers::append_locked(Job& job) {
  job.queued_ = true;
  job.next_ = nullptr;
  if (tail_ != nullptr) {
    tail_->next_ = &job;
  } else {
    head_ = &job;
  }
  tail_ = &job;
  ++queued_;
}

void DecodeWorkers::schedule(Job& job) {
  {
    std::lock_guard lock(mutex_);
    if (job.queued_) return;
    if (job.running_) {
      job.again_ = true;
      return;
    }
    append_locked(job);
  }
  work_ready_.notify_one();
}

void DecodeWorkers::cancel(Job& job) {
  std::unique_lock lock(mutex_);
  job.again_ = false;
  if (job.queued_) {
    Job* previous = nullptr;
    for (Job* j = head_; j != nullptr; previous = j, j = j->next_) {
      if (j != &job) continue;
      (previous != nullptr ? previous->next_ : head_) = job.next_;
      if (tail_ == &job) tail_ = previous;
      break;
    }
    job.queued_ = false;
    job.next_ = nullptr;
    --queued_;
  }
  run_ended_.wait(lock, [&] { return !job.running_; });
}

size_t DecodeWorkers::queued() const {
  std::lock_guard lock(mutex_);
  return queued_;
}

void DecodeWorkers::work() {
  std::unique_lock lock(mutex_);
  for (;;) {
    work_ready_.wait(lock, [&] { return stopping_ || head_ != nullptr; });
    if (stopping_) return;
    Job& job = *head_;
    head_ = job.next_;
    if (head_ == nullptr) tail_ = nullptr;
    job.next_ = nullptr;
    job.queued_ = false;
    --queued_;
    job.running_ = true;
    lock.unlock();
    job.run();
    lock.lock();
    job.running_ = false;
    if (job.again_) {
      job.again_ = false;
      append_locked(job);  // to the end: the others' turns come first
    }
    run_ended_.notify_all();
  }
}

}  // namespace ttycall::server
