#include "client/client_stats.h"

#include <nlohmann/json.hpp>

#include "core/alloc_accounting.h"

namespace ttycall::client {

void RecentRates::on_frame(size_t wire_bytes, core::SteadyClock::time_point now) {
  ++frames_;
  bytes_ += wire_bytes;
  const double seconds = core::seconds_between(start_, now);
  if (seconds < 1.0) return;
  if (start_ != core::SteadyClock::time_point{}) {
    fps_ = double(frames_) / seconds;
    kbit_per_s_ = double(bytes_) * 8 / 1000 / seconds;
  }
  start_ = now;
  frames_ = 0;
  bytes_ = 0;
}

void ClientStats::on_frame(size_t wire_bytes, core::SteadyClock::time_point now) {
  if (frames_ == 0) first_frame_ = now;
  last_frame_ = now;
  ++frames_;
  bytes_received_ += wire_bytes;
}

void ClientStats::mark_connecting(core::SteadyClock::time_point now) {
  if (connecting_marked_) return;
  connecting_marked_ = true;
  connecting_ = now;
}

void ClientStats::on_participant(uint32_t id) {
  for (int i = 0; i < participants_seen_; ++i) {
    if (participants_[i] == id) return;
  }
  if (participants_seen_ < int(participants_.size())) participants_[participants_seen_++] = id;
}

void ClientStats::on_rtt_ms(double ms) {
  rtt_last_ms_ = ms;
  rtt_sum_ms_ += ms;
  ++rtt_count_;
}

void ClientStats::mark_steady() {
  steady_marked_ = true;
  steady_allocs_start_ = core::alloc_accounting::totals().allocs;
}

void ClientStats::mark_end() {
  if (end_marked_) return;
  end_marked_ = true;
  steady_allocs_end_ = core::alloc_accounting::totals().allocs;
}

double ClientStats::fps() const {
  if (frames_ < 2) return 0;
  const double seconds = core::seconds_between(first_frame_, last_frame_);
  return seconds > 0 ? double(frames_ - 1) / seconds : 0;
}

std::string ClientStats::to_json() const {
  nlohmann::json j;
  fill_json(j);
  return j.dump(2) + "\n";
}

void ClientStats::fill_json(nlohmann::json& j) const {
  const uint64_t allocs = core::alloc_accounting::totals().allocs;  // before the JSON's own
  const uint64_t steady_end = end_marked_ ? steady_allocs_end_ : allocs;
  j["frames_received"] = frames_;
  j["bytes_received"] = bytes_received_;
  j["terminal_bytes"] = terminal_bytes_;
  j["fps"] = fps();
  // Seconds from the first connection attempt to the first frame; null without a frame.
  if (connecting_marked_ && frames_ > 0) {
    j["first_frame_s"] = core::seconds_between(connecting_, first_frame_);
  } else {
    j["first_frame_s"] = nullptr;
  }
  j["latency_ms"] = {{"p50", latency_percentile(50)},
                     {"p95", latency_percentile(95)},
                     {"p99", latency_percentile(99)}};
  j["participants_seen"] = participants_seen_;
  j["rtt_ms"] = {{"last", rtt_last_ms_},
                 {"mean", rtt_count_ ? rtt_sum_ms_ / double(rtt_count_) : 0.0}};
  // Heap allocations of this process from the steady mark (2 s of frames in) to the end
  // of the call: the receive and render loop should make none.
  j["heap"] = {{"allocs_total", allocs},
               {"steady_allocs", steady_marked_ ? steady_end - steady_allocs_start_ : 0}};
}

}  // namespace ttycall::client
