#pragma once
// Who may connect and try a handshake, decided before anything is built for a connection:
// per address group (address_group.h) a cap on open connections and on unauthenticated
// ones, rates of new connections and of key exchanges (token buckets), and a back-off
// after wrong passwords; server-wide a cap on unauthenticated connections and a budget of
// wrong passwords. A connection stops counting as unauthenticated once it has joined, so
// the caps on unfinished handshakes never stand in the way of finished ones.
//
// The table of address groups is fixed (set-associative, keyed by a secret hash so an
// attacker cannot aim at one set): no allocation after construction. A group whose
// connections are closed and whose buckets and back-off have settled is forgotten first.
//
// Thread-safe: the acceptor and every session's io thread call in (only at connect, key
// exchange, password checks, join and close; never per packet).
#include <array>
#include <cstdint>
#include <mutex>

#include "core/clock.h"
#include "core/rate_limiter.h"
#include "server/address_group.h"
#include "server/refusal_log.h"

namespace ttycall::server {

struct AdmissionLimits {
  int max_pending = 64;               // unauthenticated connections, server-wide
  int max_pending_per_group = 4;      // unauthenticated connections of one address group
  int max_open_per_group = 8;         // all connections of one address group
  double connections_per_second = 5;  // new connections of one address group
  double connection_burst = 20;
  double key_exchanges_per_second = 5;     // key exchanges of one address group
  double key_exchange_burst = 10;          // below the connections': each one costs far more
  double wrong_passwords_per_minute = 30;  // server-wide, before untrusted groups wait
};

class Admission {
 public:
  using Clock = core::SteadyClock;
  explicit Admission(const AdmissionLimits& limits);

  // A new connection from `group`: kNone (and it counts as open and unauthenticated until
  // authenticated() or release()), or why it is refused.
  Refusal admit(const AddressGroup& group, Clock::time_point now);
  // The connection joined: it no longer counts against the caps on unauthenticated ones.
  void authenticated(const AddressGroup& group);
  // The connection closed; `pending` when it never joined.
  void release(const AddressGroup& group, bool pending);

  // Before a key exchange's key generation, Diffie-Hellman and signature.
  Refusal allow_key_exchange(const AddressGroup& group, Clock::time_point now);
  // Before a password (the server's or a room's) is checked: kPasswordBackOff while the
  // group waits after wrong passwords; kPasswordBudget when the server-wide budget is spent
  // and the group has not proven a password before.
  Refusal allow_password_attempt(const AddressGroup& group, Clock::time_point now);
  void password_failed(const AddressGroup& group, Clock::time_point now);
  void password_succeeded(const AddressGroup& group);

  // Seconds a group waits after its n-th wrong password in a row: 2, 4, 8 ... up to 60.
  static double back_off_seconds(int failures);

  int pending() const;

 private:
  struct Entry {
    AddressGroup group{};
    bool used = false;
    int open = 0;
    int pending = 0;
    int failures = 0;     // wrong passwords in a row
    bool proven = false;  // a password from this group was right
    Clock::time_point blocked_until{};
    Clock::time_point last_failure{};
    Clock::time_point last_seen{};
    core::RateLimiter connections{1, 1};
    core::RateLimiter key_exchanges{1, 1};
  };
  static constexpr size_t kSets = 128;
  static constexpr size_t kWays = 8;

  // The group's entry, or a fresh one in its set (nullptr if every way is busy). Under lock.
  Entry* find(const AddressGroup& group, Clock::time_point now, bool create);
  bool settled(Entry& e, Clock::time_point now);
  size_t set_of(const AddressGroup& group) const;

  AdmissionLimits limits_;
  std::array<uint8_t, 16> hash_key_{};
  mutable std::mutex mutex_;
  int pending_ = 0;
  core::RateLimiter wrong_passwords_;
  std::array<std::array<Entry, kWays>, kSets> sets_{};
};

}  // namespace ttycall::server
