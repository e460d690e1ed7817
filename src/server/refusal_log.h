#pragma once
// Counts the connections the server refused or cut short before they joined, by why, and
// logs them in aggregate: at most one line per reason per interval, with a count. A flood
// of refused connections must not become a flood of log lines.
#include <array>
#include <atomic>
#include <cstdint>
#include <string_view>

#include "core/clock.h"
#include "net/protocol.h"

namespace ttycall::server {

enum class Refusal : uint8_t {
  kNone,
  kPendingFull,          // the server's cap of unauthenticated connections (--max-pending)
  kPendingPerAddress,    // an address group's cap of them (--max-pending-per-ip)
  kOpenPerAddress,       // an address group's cap of all its connections
  kAddressTableFull,     // every tracked address group has connections open
  kConnectionRate,       // an address group connects too fast
  kKeyExchangeRate,      // an address group starts key exchanges too fast
  kPasswordBackOff,      // an address group within its back-off after wrong passwords
  kPasswordBudget,       // the server-wide budget of wrong passwords is spent
  kWrongPassword,        // a wrong server or room password
  kFirstMessageTimeout,  // nothing within --first-message-timeout
  kHandshakeTimeout,     // no hello within --handshake-timeout
};
inline constexpr size_t kRefusalKinds = size_t(Refusal::kHandshakeTimeout) + 1;

// What the log line says of `refusal`.
std::string_view describe(Refusal refusal);
// The Bye that tells the client: its reason code and its text (the client shows the text
// only once the channel is authenticated, its own words for the code before).
net::ByeReason bye_reason(Refusal refusal);
std::string_view bye_text(Refusal refusal);

class RefusalLog {
 public:
  explicit RefusalLog(double interval_seconds) : interval_(core::to_duration(interval_seconds)) {}

  // From any thread.
  void note(Refusal refusal) { counts_[size_t(refusal)].fetch_add(1, std::memory_order_relaxed); }
  // Logs what was counted once an interval has passed since the last lines (one thread:
  // the server's housekeeping).
  void flush(core::SteadyClock::time_point now);
  // What was counted of `refusal` since the start (tests, stats).
  uint64_t total(Refusal refusal) const {
    return totals_[size_t(refusal)].load(std::memory_order_relaxed) +
           counts_[size_t(refusal)].load(std::memory_order_relaxed);
  }

 private:
  core::SteadyClock::duration interval_;
  core::SteadyClock::time_point last_flush_{};
  bool started_ = false;
  std::array<std::atomic<uint64_t>, kRefusalKinds> counts_{};
  std::array<std::atomic<uint64_t>, kRefusalKinds> totals_{};
};

}  // namespace ttycall::server
