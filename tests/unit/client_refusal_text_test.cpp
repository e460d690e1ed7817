#include "client/refusal_text.h"

#include <gtest/gtest.h>

#include <set>
#include <string>

namespace ttycall::client {
namespace {

TEST(RefusalText, EveryReasonHasWordsOfItsOwn) {
  std::set<std::string> seen;
  int known = 0;
  for (int r = 0; r < 256; ++r) {
    if (!net::is_known_bye_reason(uint8_t(r))) continue;
    ++known;
    const auto reason = net::ByeReason(r);
    const std::string text(refusal_text(reason));
    EXPECT_FALSE(text.empty()) << r;
    EXPECT_NE(text, "no reason given") << r;
    if (reason != net::ByeReason::kShutdown) seen.insert(text);  // shutdown and normal agree
  }
  EXPECT_EQ(seen.size(), size_t(known - 1));
  EXPECT_EQ(known, int(net::ByeReason::kNotListed) + 1 + 1 + 2 + 2) << "0-13, 20, 30-31 and 40-41";
}

}  // namespace
}  // namespace ttycall::client
