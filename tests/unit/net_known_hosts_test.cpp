#include "net/known_hosts.h"

#include <gtest/gtest.h>
#include <sys/stat.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "net/allowed_keys.h"
#include "net/keys.h"

namespace ttycall::net {
namespace {

class KeyFiles : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string pattern = (std::filesystem::temp_directory_path() / "ttycall-keys-XXXXXX").string();
    ASSERT_NE(::mkdtemp(pattern.data()), nullptr);
    dir_ = pattern;
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }
  std::filesystem::path file(const char* name) const { return dir_ / name; }
  static std::string read(const std::filesystem::path& p) {
    std::ifstream in(p);
    std::stringstream s;
    s << in.rdbuf();
    return s.str();
  }
  std::filesystem::path dir_;
};

TEST_F(KeyFiles, IdentityIsCreatedPrivateAndLoadsBackTheSame) {
  std::string error;
  const auto path = file("sub/dir/client_key");
  const auto made = Identity::load_or_create(path, error);
  ASSERT_TRUE(made) << error;
  struct stat st {};
  ASSERT_EQ(::stat(path.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);
  ASSERT_EQ(::stat(path.parent_path().c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0700u);
  const auto loaded = Identity::load_or_create(path, error);
  ASSERT_TRUE(loaded) << error;
  EXPECT_EQ(loaded->public_key(), made->public_key());
  const std::array<uint8_t, 3> message = {1, 2, 3};
  EXPECT_TRUE(verify(made->public_key(), message, loaded->sign(message)));
  EXPECT_EQ(read(path).find(made->public_key().to_text()), std::string::npos)
      << "the file holds the secret, not just the public key";
}

TEST_F(KeyFiles, NotAnIdentityFileIsAClearError) {
  std::ofstream(file("junk")) << "hello\n";
  std::string error;
  EXPECT_FALSE(Identity::load_or_create(file("junk"), error));
  EXPECT_NE(error.find("not a ttycall identity file"), std::string::npos) << error;
  EXPECT_EQ(read(file("junk")), "hello\n") << "never overwritten";
}

TEST_F(KeyFiles, PublicKeyTextRoundTripsAndRejectsGarbage) {
  const PublicKey key = Identity::generate().public_key();
  const std::string text = key.to_text();
  EXPECT_EQ(text.size(), 43u);
  EXPECT_EQ(PublicKey::from_text(text), key);
  EXPECT_FALSE(PublicKey::from_text(text.substr(1)));
  EXPECT_FALSE(PublicKey::from_text(text + "A"));
  EXPECT_FALSE(PublicKey::from_text("not a key at all"));
  EXPECT_FALSE(PublicKey::from_text(""));
}

TEST_F(KeyFiles, KnownHostsPinsOnFirstUseThenAcceptsOnlyThatKey) {
  const PublicKey first = Identity::generate().public_key();
  const PublicKey other = Identity::generate().public_key();
  const auto hosts = file("known_hosts");
  EXPECT_EQ(check_known_host(hosts, "example:1", first).kind, HostCheck::Kind::kPinnedNow);
  EXPECT_EQ(check_known_host(hosts, "example:2", other).kind, HostCheck::Kind::kPinnedNow);
  EXPECT_EQ(check_known_host(hosts, "example:1", first).kind, HostCheck::Kind::kKnown);
  const HostCheck changed = check_known_host(hosts, "example:1", other);
  EXPECT_EQ(changed.kind, HostCheck::Kind::kChanged);
  EXPECT_EQ(changed.pinned, first);
  EXPECT_EQ(changed.line, 1);
  EXPECT_EQ(check_known_host(hosts, "example:2", other).kind, HostCheck::Kind::kKnown);
  EXPECT_EQ(read(hosts), "example:1 " + first.to_text() + "\nexample:2 " + other.to_text() + "\n");
}

TEST_F(KeyFiles, KnownHostsSkipsCommentsAndNamesIpv6InBrackets) {
  const PublicKey key = Identity::generate().public_key();
  std::ofstream(file("known_hosts"))
      << "# servers I trust\n\n[::1]:27224 " << key.to_text() << "\n";
  EXPECT_EQ(host_port_text("::1", 27224), "[::1]:27224");
  EXPECT_EQ(host_port_text("127.0.0.1", 5), "127.0.0.1:5");
  EXPECT_EQ(check_known_host(file("known_hosts"), "[::1]:27224", key).kind,
            HostCheck::Kind::kKnown);
}

TEST_F(KeyFiles, AllowedKeysReadsKeysWithCommentsAndNamesABadLine) {
  const PublicKey a = Identity::generate().public_key();
  const PublicKey b = Identity::generate().public_key();
  std::ofstream(file("allowed")) << "# the team\n"
                                 << a.to_text() << " ada's laptop\n\n"
                                 << b.to_text() << "\n";
  std::string error;
  const auto keys = load_allowed_keys(file("allowed"), error);
  ASSERT_TRUE(keys) << error;
  EXPECT_EQ(*keys, (std::vector<PublicKey>{a, b}));

  std::ofstream(file("bad")) << a.to_text() << "\nssh-ed25519 AAAA\n";
  EXPECT_FALSE(load_allowed_keys(file("bad"), error));
  EXPECT_NE(error.find("bad:2"), std::string::npos) << error;
  EXPECT_FALSE(load_allowed_keys(file("missing"), error));
  EXPECT_NE(error.find("cannot read"), std::string::npos) << error;
}

}  // namespace
}  // namespace ttycall::net
