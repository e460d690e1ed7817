#pragma once
// The threads that decode participants' camera frames, so that a frame that is costly to
// decode delays no io thread, and with it no other session's packets.
//
// Each participant has one Job (its UplinkDecoder), holding at most one frame that waits
// to be decoded; a newer frame replaces a waiting one there, so what waits is bounded by
// construction. The queue holds jobs, not frames: a job is in it at most once however many
// frames its participant sends, and a job is never run by two threads at once (one scheduled
// while it runs goes back to the end of the queue when the run ends). Jobs are taken in the
// order they were queued, so every participant with a frame waiting gets its turn, one frame
// each, before anyone gets a second. The queue is an intrusive list: queueing never
// allocates.
#include <condition_variable>
#include <cstddef>
#include <mutex>
#include <thread>
#include <vector>

namespace ttycall::server {

class DecodeWorkers {
 public:
  // What a worker does for one participant: decode what waits in it.
  class Job {
   public:
    virtual void run() = 0;

   protected:
    Job() = default;
    ~Job() = default;

   private:
    friend class DecodeWorkers;
    Job* next_ = nullptr;
    bool queued_ = false;
    bool running_ = false;
    bool again_ = false;  // scheduled while it ran: queued again when the run ends
  };

  // `threads` workers (at least one).
  explicit DecodeWorkers(int threads);
  ~DecodeWorkers();
  DecodeWorkers(const DecodeWorkers&) = delete;
  DecodeWorkers& operator=(const DecodeWorkers&) = delete;

  // Queues `job` to run on a worker, unless it is queued already. From any thread.
  void schedule(Job& job);
  // Takes `job` out of the queue and waits for a run in progress to end: afterwards no
  // worker touches it (unless it is scheduled again). Call it before a job is destroyed.
  void cancel(Job& job);

  // Jobs waiting in the queue now (never more than the jobs there are).
  size_t queued() const;
  size_t threads() const { return threads_.size(); }

 private:
  void work();
  void append_locked(Job& job);

  mutable std::mutex mutex_;
  std::condition_variable work_ready_;
  std::condition_variable run_ended_;
  Job* head_ = nullptr;
  Job* tail_ = nullptr;
  size_t queued_ = 0;
  bool stopping_ = false;
  std::vector<std::thread> threads_;  // last: they start once the rest is ready
};

}  // namespace ttycall::server
