#include "server/admission.h"

#include <gtest/gtest.h>

#include <chrono>

#include "server/address_group.h"

namespace ttycall::server {
namespace {

using namespace std::chrono_literals;
using Clock = core::SteadyClock;

AddressGroup group(const char* text) {
  return group_of(asio::ip::make_address(text));
}

TEST(AddressGroup, IPv6GroupsByItsSlash64) {
  EXPECT_EQ(group("2001:db8:1:2::1"), group("2001:db8:1:2:ffff:ffff:ffff:ffff"));
  EXPECT_EQ(group("2001:db8:1:2::1"), group("2001:db8:1:2:abcd::7"));
  EXPECT_NE(group("2001:db8:1:2::1"), group("2001:db8:1:3::1"));
  EXPECT_EQ(to_string(group("2001:db8:1:2:abcd::7")), "2001:db8:1:2::/64");
}

TEST(AddressGroup, IPv4CountsByTheWholeAddressMappedOrNot) {
  EXPECT_NE(group("192.0.2.1"), group("192.0.2.2"));
  EXPECT_EQ(group("192.0.2.1"), group("::ffff:192.0.2.1"));
  EXPECT_NE(group("127.0.0.1"), group("127.0.0.2"));
  EXPECT_EQ(to_string(group("::ffff:192.0.2.1")), "192.0.2.1");
}

AdmissionLimits small_limits() {
  AdmissionLimits limits;
  limits.max_pending = 6;
  limits.max_pending_per_group = 2;
  limits.max_open_per_group = 3;
  limits.connections_per_second = 1;
  limits.connection_burst = 100;
  limits.key_exchanges_per_second = 1;
  limits.key_exchange_burst = 3;
  limits.wrong_passwords_per_minute = 4;
  return limits;
}

TEST(Admission, CapsUnauthenticatedConnectionsPerGroupAndServerWideButNotJoinedOnes) {
  Admission admission(small_limits());
  const Clock::time_point t{};
  const AddressGroup a = group("2001:db8::1");
  EXPECT_EQ(admission.admit(a, t), Refusal::kNone);
  // Another address of the same /64 is the same group.
  EXPECT_EQ(admission.admit(group("2001:db8::2"), t), Refusal::kNone);
  EXPECT_EQ(admission.admit(group("2001:db8::3"), t), Refusal::kPendingPerAddress);
  // Once one has joined, another may start; the cap on all its connections still holds.
  admission.authenticated(a);
  EXPECT_EQ(admission.admit(a, t), Refusal::kNone);
  admission.authenticated(a);
  EXPECT_EQ(admission.admit(a, t), Refusal::kOpenPerAddress);
  // Server-wide: 6 unauthenticated at once, whoever they are.
  EXPECT_EQ(admission.pending(), 1);
  for (const char* other : {"192.0.2.1", "192.0.2.2", "192.0.2.3", "192.0.2.4", "192.0.2.5"}) {
    EXPECT_EQ(admission.admit(group(other), t), Refusal::kNone) << other;
  }
  EXPECT_EQ(admission.admit(group("192.0.2.9"), t), Refusal::kPendingFull);
  admission.release(group("192.0.2.1"), /*pending=*/true);
  EXPECT_EQ(admission.admit(group("192.0.2.9"), t), Refusal::kNone);
}

TEST(Admission, LimitsTheRateOfConnectionsAndKeyExchangesPerGroup) {
  AdmissionLimits limits = small_limits();
  limits.connection_burst = 3;
  limits.max_pending_per_group = 100;
  limits.max_open_per_group = 100;
  limits.max_pending = 100;
  Admission admission(limits);
  const Clock::time_point t{};
  const AddressGroup a = group("198.51.100.7");
  int admitted = 0;
  for (int i = 0; i < 10; ++i) admitted += admission.admit(a, t) == Refusal::kNone;
  EXPECT_EQ(admitted, 3);
  EXPECT_EQ(admission.admit(a, t), Refusal::kConnectionRate);
  EXPECT_EQ(admission.admit(group("198.51.100.8"), t), Refusal::kNone) << "others are not slowed";
  EXPECT_EQ(admission.admit(a, t + 1s), Refusal::kNone) << "the rate refills";

  int exchanges = 0;
  for (int i = 0; i < 10; ++i) exchanges += admission.allow_key_exchange(a, t) == Refusal::kNone;
  EXPECT_EQ(exchanges, 3);
  EXPECT_EQ(admission.allow_key_exchange(a, t), Refusal::kKeyExchangeRate);
}

TEST(Admission, WrongPasswordsBackOffTheirGroupOnlyAndDoubling) {
  Admission admission(small_limits());
  const Clock::time_point t{};
  const AddressGroup guesser = group("203.0.113.5");
  const AddressGroup other = group("203.0.113.6");
  ASSERT_EQ(admission.admit(guesser, t), Refusal::kNone);
  ASSERT_EQ(admission.admit(other, t), Refusal::kNone);
  EXPECT_EQ(admission.allow_password_attempt(guesser, t), Refusal::kNone);
  admission.password_failed(guesser, t);
  EXPECT_EQ(admission.allow_password_attempt(guesser, t + 1s), Refusal::kPasswordBackOff);
  EXPECT_EQ(admission.allow_password_attempt(other, t + 1s), Refusal::kNone)
      << "another address tries at once";
  EXPECT_EQ(admission.allow_password_attempt(guesser, t + 2s), Refusal::kNone);
  admission.password_failed(guesser, t + 2s);
  EXPECT_EQ(admission.allow_password_attempt(guesser, t + 5s), Refusal::kPasswordBackOff);
  EXPECT_EQ(admission.allow_password_attempt(guesser, t + 6s), Refusal::kNone);
  EXPECT_EQ(Admission::back_off_seconds(1), 2);
  EXPECT_EQ(Admission::back_off_seconds(3), 8);
  EXPECT_EQ(Admission::back_off_seconds(30), 60);
  // A right password ends the back-off's doubling.
  admission.password_succeeded(guesser);
  admission.password_failed(guesser, t + 10s);
  EXPECT_EQ(admission.allow_password_attempt(guesser, t + 12s), Refusal::kNone);
}

TEST(Admission, TheServerWideBudgetOfWrongPasswordsStopsNewGuessersButNotProvenAddresses) {
  Admission admission(small_limits());  // 4 wrong passwords a minute
  const Clock::time_point t{};
  const AddressGroup friendly = group("192.0.2.100");
  ASSERT_EQ(admission.admit(friendly, t), Refusal::kNone);
  admission.password_succeeded(friendly);
  // Four addresses guess once each: the budget is spent.
  for (const char* a : {"198.51.100.1", "198.51.100.2", "198.51.100.3", "198.51.100.4"}) {
    ASSERT_EQ(admission.admit(group(a), t), Refusal::kNone);
    ASSERT_EQ(admission.allow_password_attempt(group(a), t), Refusal::kNone) << a;
    admission.password_failed(group(a), t);
  }
  ASSERT_EQ(admission.admit(group("198.51.100.5"), t), Refusal::kNone);
  EXPECT_EQ(admission.allow_password_attempt(group("198.51.100.5"), t), Refusal::kPasswordBudget);
  EXPECT_EQ(admission.allow_password_attempt(friendly, t), Refusal::kNone)
      << "an address that gave the right password before still may";
  // A quarter of a minute later one more guess fits the budget again.
  EXPECT_EQ(admission.allow_password_attempt(group("198.51.100.5"), t + 15s), Refusal::kNone);
}

TEST(Admission, ForgetsSettledGroupsSoTheTableNeverFillsWithOldAddresses) {
  AdmissionLimits limits = small_limits();
  limits.max_pending = 100000;
  Admission admission(limits);
  Clock::time_point t{};
  // Far more distinct addresses than the table has entries, each closed again.
  for (int i = 0; i < 5000; ++i) {
    const AddressGroup g =
        group(("10.0." + std::to_string(i / 250) + "." + std::to_string(i % 250)).c_str());
    ASSERT_EQ(admission.admit(g, t), Refusal::kNone) << i;
    admission.release(g, true);
    t += 10ms;
  }
  EXPECT_EQ(admission.pending(), 0);
}

}  // namespace
}  // namespace ttycall::server
