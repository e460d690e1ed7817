#pragma once
// What a client measured, written as JSON at exit (--stats-json).
#include <array>
#include <cstdint>
#include <nlohmann/json_fwd.hpp>
#include <string>

#include "client/latency_samples.h"
#include "core/clock.h"

namespace ttycall::client {

// The frame rate and bandwidth of the last second or so, for the stats box.
class RecentRates {
 public:
  void on_frame(size_t wire_bytes, core::SteadyClock::time_point now);
  double fps() const { return fps_; }
  double kbit_per_s() const { return kbit_per_s_; }

 private:
  core::SteadyClock::time_point start_{};
  uint64_t frames_ = 0;
  uint64_t bytes_ = 0;
  double fps_ = 0;
  double kbit_per_s_ = 0;
};

class ClientStats {
 public:
  void on_frame(size_t wire_bytes, core::SteadyClock::time_point now);
  // The first connection attempt (later ones, after a redirect or a reconnect, do not
  // move it): the join time runs from here to the first frame.
  void mark_connecting(core::SteadyClock::time_point now);
  void on_bytes(size_t wire_bytes) { bytes_received_ += wire_bytes; }
  // Bytes written (or, headless, that would be written) to the terminal for a frame.
  void on_terminal_bytes(size_t bytes) { terminal_bytes_ += bytes; }
  void on_latency_ms(double ms) { latencies_.add(ms); }
  void on_participant(uint32_t id);
  void on_rtt_ms(double ms);
  // Marks the start of the steady state (the client's heap allocations are counted from here).
  void mark_steady();
  bool steady_marked() const { return steady_marked_; }
  // Marks the end of the call (leaving allocates a little; that is not per-frame work).
  void mark_end();

  uint64_t frames_received() const { return frames_; }
  double fps() const;
  int participants_seen() const { return participants_seen_; }
  // Percentile (0..100) of the recorded latencies, 0 when none.
  double latency_percentile(double p) const { return latencies_.percentile(p); }
  std::string to_json() const;
  // The same figures into an existing JSON object (the client adds its "audio" section).
  void fill_json(nlohmann::json& j) const;
  uint64_t bytes_received() const { return bytes_received_; }
  // The newest samples (0 when none yet), for the stats box.
  double last_latency_ms() const { return latencies_.last(); }
  double last_rtt_ms() const { return rtt_last_ms_; }

 private:
  uint64_t frames_ = 0;
  uint64_t bytes_received_ = 0;
  uint64_t terminal_bytes_ = 0;
  core::SteadyClock::time_point connecting_{};
  bool connecting_marked_ = false;
  core::SteadyClock::time_point first_frame_{};
  core::SteadyClock::time_point last_frame_{};
  LatencySamples latencies_;
  std::array<uint32_t, 256> participants_{};
  int participants_seen_ = 0;
  double rtt_last_ms_ = 0;
  double rtt_sum_ms_ = 0;
  uint64_t rtt_count_ = 0;
  bool steady_marked_ = false;
  uint64_t steady_allocs_start_ = 0;
  uint64_t steady_allocs_end_ = 0;
  bool end_marked_ = false;
};

}  // namespace ttycall::client
