#include "server/refusal_log.h"

#include <spdlog/spdlog.h>

namespace ttycall::server {

std::string_view describe(Refusal refusal) {
  switch (refusal) {
    case Refusal::kNone:
      return "no reason";
    case Refusal::kPendingFull:
      return "the server had its maximum of unauthenticated connections (--max-pending)";
    case Refusal::kPendingPerAddress:
      return "the address had its maximum of unauthenticated connections (--max-pending-per-ip)";
    case Refusal::kOpenPerAddress:
      return "the address had its maximum of connections (--max-connections-per-ip)";
    case Refusal::kAddressTableFull:
      return "too many distinct addresses with connections open";
    case Refusal::kConnectionRate:
      return "the address connected too fast (--connections-per-ip-per-second)";
    case Refusal::kKeyExchangeRate:
      return "the address started key exchanges too fast (--handshakes-per-ip-per-second)";
    case Refusal::kPasswordBackOff:
      return "the address was backing off after wrong passwords";
    case Refusal::kPasswordBudget:
      return "the server's budget of wrong passwords was spent (--wrong-passwords-per-minute)";
    case Refusal::kWrongPassword:
      return "wrong password";
    case Refusal::kFirstMessageTimeout:
      return "nothing received within the first-message timeout";
    case Refusal::kHandshakeTimeout:
      return "no hello within the handshake timeout";
  }
  return "no reason";
}

net::ByeReason bye_reason(Refusal refusal) {
  switch (refusal) {
    case Refusal::kPendingFull:
    case Refusal::kPendingPerAddress:
    case Refusal::kOpenPerAddress:
    case Refusal::kAddressTableFull:
      return net::ByeReason::kTooManyConnections;
    case Refusal::kConnectionRate:
    case Refusal::kKeyExchangeRate:
    case Refusal::kPasswordBackOff:
    case Refusal::kPasswordBudget:
      return net::ByeReason::kSlowDown;
    case Refusal::kWrongPassword:
      return net::ByeReason::kAuthFailed;
    case Refusal::kFirstMessageTimeout:
    case Refusal::kHandshakeTimeout:
      return net::ByeReason::kTimeout;
    case Refusal::kNone:
      break;
  }
  return net::ByeReason::kNormal;
}

std::string_view bye_text(Refusal refusal) {
  switch (refusal) {
    case Refusal::kPendingFull:
      return "the server has too many unfinished handshakes: try again shortly";
    case Refusal::kPendingPerAddress:
    case Refusal::kOpenPerAddress:
    case Refusal::kAddressTableFull:
      return "too many connections from your address";
    case Refusal::kConnectionRate:
      return "your address connects too fast: try again shortly";
    case Refusal::kKeyExchangeRate:
      return "your address starts key exchanges too fast: try again shortly";
    case Refusal::kPasswordBackOff:
      return "wrong passwords from your address: wait a little before trying again";
    case Refusal::kPasswordBudget:
      return "too many wrong passwords on this server lately: try again in a minute";
    case Refusal::kWrongPassword:
      return "wrong password";
    case Refusal::kFirstMessageTimeout:
      return "nothing received in time after connecting";
    case Refusal::kHandshakeTimeout:
      return "the handshake took too long";
    case Refusal::kNone:
      break;
  }
  return "";
}

void RefusalLog::flush(core::SteadyClock::time_point now) {
  if (!started_) {
    started_ = true;
    last_flush_ = now;
    return;
  }
  if (now - last_flush_ < interval_) return;
  const double seconds = core::seconds_between(last_flush_, now);
  last_flush_ = now;
  for (size_t i = 1; i < kRefusalKinds; ++i) {
    const uint64_t n = counts_[i].exchange(0, std::memory_order_relaxed);
    if (n == 0) continue;
    totals_[i].fetch_add(n, std::memory_order_relaxed);
    spdlog::warn("refused {} connection{} in the last {:.0f} s: {}", n, n == 1 ? "" : "s", seconds,
                 describe(Refusal(i)));
  }
}

}  // namespace ttycall::server
