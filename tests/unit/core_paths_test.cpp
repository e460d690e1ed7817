#include "core/paths.h"

#include <gtest/gtest.h>

#include <cstdlib>
#include <optional>
#include <string>

namespace ttycall::core {
namespace {

// Sets or unsets an environment variable for one test, and puts it back.
class ScopedEnv {
 public:
  ScopedEnv(const char* name, const char* value) : name_(name) {
    if (const char* old = std::getenv(name)) old_ = old;
    if (value != nullptr) {
      ::setenv(name, value, 1);
    } else {
      ::unsetenv(name);
    }
  }
  ~ScopedEnv() {
    if (old_) {
      ::setenv(name_, old_->c_str(), 1);
    } else {
      ::unsetenv(name_);
    }
  }
  ScopedEnv(const ScopedEnv&) = delete;
  ScopedEnv& operator=(const ScopedEnv&) = delete;

 private:
  const char* name_;
  std::optional<std::string> old_;
};

TEST(ConfigFile, AGivenFileWinsOverTheConfigFolder) {
  const ScopedEnv xdg("XDG_CONFIG_HOME", "/somewhere");
  const Result<std::filesystem::path> file = config_file("/keys/mine", "client_key", "--identity");
  ASSERT_TRUE(file.is_ok());
  EXPECT_EQ(file.value(), "/keys/mine");
}

TEST(ConfigFile, DefaultsToTheConfigFolder) {
  const ScopedEnv xdg("XDG_CONFIG_HOME", "/xdg");
  const ScopedEnv home("HOME", "/home/ada");
  Result<std::filesystem::path> file = config_file("", "known_hosts", "--known-hosts");
  ASSERT_TRUE(file.is_ok());
  EXPECT_EQ(file.value(), "/xdg/ttycall/known_hosts");

  const ScopedEnv no_xdg("XDG_CONFIG_HOME", nullptr);
  file = config_file("", "known_hosts", "--known-hosts");
  ASSERT_TRUE(file.is_ok());
  EXPECT_EQ(file.value(), "/home/ada/.config/ttycall/known_hosts");
}

// Without a config folder the default would be a bare name, which lands in whatever folder
// ttycall was started in: that is an error naming the option that avoids it.
TEST(ConfigFile, NoConfigFolderIsAClearErrorNotTheCurrentDirectory) {
  const ScopedEnv xdg("XDG_CONFIG_HOME", nullptr);
  const ScopedEnv home("HOME", "");
  const Result<std::filesystem::path> file = config_file("", "server_key", "--identity");
  ASSERT_FALSE(file.is_ok());
  EXPECT_EQ(file.status().code(), Status::Code::kInvalidInput);
  const std::string& why = file.status().message();
  EXPECT_NE(why.find("HOME"), std::string::npos) << why;
  EXPECT_NE(why.find("--identity FILE"), std::string::npos) << why;
  EXPECT_NE(why.find("server_key"), std::string::npos) << why;
}

}  // namespace
}  // namespace ttycall::core
