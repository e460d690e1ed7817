// Every process an integration test starts keeps its keys, pinned server keys and config in
// a folder of this test process's own (XDG_CONFIG_HOME), never in the user's home, and no
// two tests share pinned keys.
#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <string>

namespace {

class ConfigHome : public ::testing::Environment {
 public:
  void SetUp() override {
    std::string pattern =
        (std::filesystem::temp_directory_path() / "ttycall-config-XXXXXX").string();
    ASSERT_NE(::mkdtemp(pattern.data()), nullptr);
    path_ = pattern;
    ::setenv("XDG_CONFIG_HOME", path_.c_str(), 1);
  }
  void TearDown() override {
    std::error_code ignored;
    if (!path_.empty()) std::filesystem::remove_all(path_, ignored);
  }

 private:
  std::string path_;
};

const auto* const kConfigHome = ::testing::AddGlobalTestEnvironment(new ConfigHome);

}  // namespace
