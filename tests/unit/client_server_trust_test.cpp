#include "client/server_trust.h"

#include <gtest/gtest.h>

#include <cstdio>
#include <string>

namespace ttycall::client {
namespace {

// The answer to the first-use question when the user types `typed`; `shown` gets the
// question as it was written.
bool answered(const std::string& typed, const net::PublicKey& key, std::string* shown = nullptr) {
  std::string input = typed;
  std::FILE* in = ::fmemopen(input.data(), input.size(), "r");
  char* out_text = nullptr;
  size_t out_size = 0;
  std::FILE* out = ::open_memstream(&out_text, &out_size);
  const bool yes = ask_to_confirm_key(in, out, "example.org:27224", key);
  std::fclose(in);
  std::fclose(out);
  if (shown) *shown = std::string(out_text, out_size);
  std::free(out_text);
  return yes;
}

TEST(FirstUseQuestion, OnlyYesOrTheKeyItselfConfirms) {
  net::ensure_sodium();
  const net::PublicKey key = net::Identity::generate().public_key();
  std::string shown;
  EXPECT_TRUE(answered("yes\n", key, &shown));
  EXPECT_NE(shown.find(key.to_text()), std::string::npos) << shown;
  EXPECT_NE(shown.find("example.org:27224"), std::string::npos) << shown;
  EXPECT_TRUE(answered(key.to_text() + "\n", key)) << "the key pasted, as ssh allows";
  EXPECT_TRUE(answered("maybe\nyes\n", key)) << "asked again";
  EXPECT_FALSE(answered("no\n", key));
  EXPECT_FALSE(answered("", key)) << "end of input is a no";
  EXPECT_FALSE(answered("y\n", key)) << "only the whole word";
  EXPECT_FALSE(answered("a\nb\nc\nyes\n", key)) << "three tries, then no";
  EXPECT_FALSE(answered(net::Identity::generate().public_key().to_text() + "\n", key))
      << "another key pasted";
}

}  // namespace
}  // namespace ttycall::client
