#include "server/admission.h"

#include <sodium.h>

#include <algorithm>
#include <cmath>

namespace ttycall::server {
namespace {

// Wrong passwords in a row are forgotten after this long without another.
constexpr auto kFailureMemory = std::chrono::minutes(10);
constexpr double kMaxBackOffSeconds = 60;

}  // namespace

Admission::Admission(const AdmissionLimits& limits)
    : limits_(limits),
      wrong_passwords_(limits.wrong_passwords_per_minute / 60.0,
                       std::max(1.0, limits.wrong_passwords_per_minute)) {
  static_assert(crypto_shorthash_KEYBYTES == 16);
  if (sodium_init() < 0) {
    // No randomness from libsodium: the sets are still correct, only predictable.
    hash_key_.fill(0x5A);
  } else {
    randombytes_buf(hash_key_.data(), hash_key_.size());
  }
}

double Admission::back_off_seconds(int failures) {
  if (failures <= 0) return 0;
  return std::min(kMaxBackOffSeconds, std::ldexp(1.0, std::min(failures, 16)));
}

size_t Admission::set_of(const AddressGroup& group) const {
  std::array<uint8_t, crypto_shorthash_BYTES> hash{};
  crypto_shorthash(hash.data(), group.data(), group.size(), hash_key_.data());
  uint64_t h = 0;
  for (uint8_t b : hash) h = h << 8 | b;
  return size_t(h % kSets);
}

bool Admission::settled(Entry& e, Clock::time_point now) {
  if (e.open > 0 || now < e.blocked_until) return false;
  if (e.failures > 0 && now - e.last_failure < kFailureMemory) return false;
  return e.connections.rested(now) && e.key_exchanges.rested(now);
}

Admission::Entry* Admission::find(const AddressGroup& group, Clock::time_point now, bool create) {
  std::array<Entry, kWays>& set = sets_[set_of(group)];
  for (Entry& e : set) {
    if (e.used && e.group == group) {
      e.last_seen = now;
      return &e;
    }
  }
  if (!create) return nullptr;
  // A free way, else the settled one seen longest ago (its state is the default anyway),
  // else the one without connections seen longest ago.
  Entry* victim = nullptr;
  for (Entry& e : set) {
    if (!e.used) {
      victim = &e;
      break;
    }
    if (e.open > 0) continue;
    const bool better =
        victim == nullptr || (settled(e, now) && !settled(*victim, now)) ||
        (settled(e, now) == settled(*victim, now) && e.last_seen < victim->last_seen);
    if (better) victim = &e;
  }
  if (victim == nullptr) return nullptr;
  *victim = Entry{};
  victim->used = true;
  victim->group = group;
  victim->last_seen = now;
  victim->connections = core::RateLimiter(limits_.connections_per_second, limits_.connection_burst);
  victim->key_exchanges =
      core::RateLimiter(limits_.key_exchanges_per_second, limits_.key_exchange_burst);
  return victim;
}

Refusal Admission::admit(const AddressGroup& group, Clock::time_point now) {
  std::lock_guard lock(mutex_);
  Entry* e = find(group, now, true);
  if (e == nullptr) return Refusal::kAddressTableFull;
  if (!e->connections.allow(now)) return Refusal::kConnectionRate;
  if (e->open >= limits_.max_open_per_group) return Refusal::kOpenPerAddress;
  if (e->pending >= limits_.max_pending_per_group) return Refusal::kPendingPerAddress;
  if (pending_ >= limits_.max_pending) return Refusal::kPendingFull;
  ++e->open;
  ++e->pending;
  ++pending_;
  return Refusal::kNone;
}

void Admission::authenticated(const AddressGroup& group) {
  std::lock_guard lock(mutex_);
  Entry* e = find(group, Clock::now(), false);
  if (e == nullptr || e->pending == 0) return;
  --e->pending;
  --pending_;
}

void Admission::release(const AddressGroup& group, bool pending) {
  std::lock_guard lock(mutex_);
  Entry* e = find(group, Clock::now(), false);
  if (e == nullptr) return;
  if (e->open > 0) --e->open;
  if (pending && e->pending > 0) {
    --e->pending;
    --pending_;
  }
}

Refusal Admission::allow_key_exchange(const AddressGroup& group, Clock::time_point now) {
  std::lock_guard lock(mutex_);
  Entry* e = find(group, now, false);
  if (e == nullptr) return Refusal::kAddressTableFull;  // only admitted connections get here
  return e->key_exchanges.allow(now) ? Refusal::kNone : Refusal::kKeyExchangeRate;
}

Refusal Admission::allow_password_attempt(const AddressGroup& group, Clock::time_point now) {
  std::lock_guard lock(mutex_);
  Entry* e = find(group, now, false);
  if (e == nullptr) return Refusal::kAddressTableFull;
  if (now < e->blocked_until) return Refusal::kPasswordBackOff;
  if (!e->proven && !wrong_passwords_.would_allow(now)) return Refusal::kPasswordBudget;
  return Refusal::kNone;
}

void Admission::password_failed(const AddressGroup& group, Clock::time_point now) {
  std::lock_guard lock(mutex_);
  wrong_passwords_.allow(now);
  Entry* e = find(group, now, false);
  if (e == nullptr) return;
  if (e->failures > 0 && now - e->last_failure >= kFailureMemory) e->failures = 0;
  ++e->failures;
  e->last_failure = now;
  e->blocked_until = now + core::to_duration(back_off_seconds(e->failures));
}

void Admission::password_succeeded(const AddressGroup& group) {
  std::lock_guard lock(mutex_);
  Entry* e = find(group, Clock::now(), false);
  if (e == nullptr) return;
  e->failures = 0;
  e->proven = true;
}

int Admission::pending() const {
  std::lock_guard lock(mutex_);
  return pending_;
}

}  // namespace ttycall::server
