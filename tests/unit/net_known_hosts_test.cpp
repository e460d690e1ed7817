#include "net/known_hosts.h"

#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "net/allowed_keys.h"
#include "net/keys.h"

namespace ttycall::net {
namespace {

// check_known_host's answer; a failure fails the test (and refuses).
HostCheck checked(const std::filesystem::path& file, std::string_view host_port,
                  const PublicKey& presented) {
  core::Result<HostCheck> check = check_known_host(file, host_port, presented);
  if (!check.is_ok()) {
    ADD_FAILURE() << check.status().message();
    return {};
  }
  return check.value();
}

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
  const auto path = file("sub/dir/client_key");
  core::Result<Identity> made = Identity::load_or_create(path);
  ASSERT_TRUE(made.is_ok()) << made.status().message();
  struct stat st {};
  ASSERT_EQ(::stat(path.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);
  ASSERT_EQ(::stat(path.parent_path().c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0700u);
  core::Result<Identity> loaded = Identity::load_or_create(path);
  ASSERT_TRUE(loaded.is_ok()) << loaded.status().message();
  EXPECT_EQ(loaded->public_key(), made->public_key());
  const std::array<uint8_t, 3> message = {1, 2, 3};
  EXPECT_TRUE(verify(made->public_key(), message, loaded->sign(message)));
  EXPECT_EQ(read(path).find(made->public_key().to_text()), std::string::npos)
      << "the file holds the secret, not just the public key";
}

TEST_F(KeyFiles, NotAnIdentityFileIsAClearError) {
  std::ofstream(file("junk")) << "hello\n";
  std::filesystem::permissions(file("junk"), std::filesystem::perms::owner_read);
  const core::Result<Identity> loaded = Identity::load_or_create(file("junk"));
  EXPECT_FALSE(loaded.is_ok());
  const std::string& why = loaded.status().message();
  EXPECT_NE(why.find("not a ttycall identity file"), std::string::npos) << why;
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
  EXPECT_EQ(checked(hosts, "example:1", first).kind, HostCheck::Kind::kPinnedNow);
  EXPECT_EQ(checked(hosts, "example:2", other).kind, HostCheck::Kind::kPinnedNow);
  EXPECT_EQ(checked(hosts, "example:1", first).kind, HostCheck::Kind::kKnown);
  const HostCheck changed = checked(hosts, "example:1", other);
  EXPECT_EQ(changed.kind, HostCheck::Kind::kChanged);
  EXPECT_EQ(changed.pinned, first);
  EXPECT_EQ(changed.line, 1);
  EXPECT_EQ(checked(hosts, "example:2", other).kind, HostCheck::Kind::kKnown);
  EXPECT_EQ(read(hosts), "example:1 " + first.to_text() + "\nexample:2 " + other.to_text() + "\n");
}

TEST_F(KeyFiles, KnownHostsSkipsCommentsAndNamesIpv6InBrackets) {
  const PublicKey key = Identity::generate().public_key();
  std::ofstream(file("known_hosts"))
      << "# servers I trust\n\n[::1]:27224 " << key.to_text() << "\n";
  std::filesystem::permissions(file("known_hosts"), std::filesystem::perms::owner_read |
                                                        std::filesystem::perms::owner_write);
  EXPECT_EQ(host_port_text("::1", 27224), "[::1]:27224");
  EXPECT_EQ(host_port_text("127.0.0.1", 5), "127.0.0.1:5");
  EXPECT_EQ(checked(file("known_hosts"), "[::1]:27224", key).kind, HostCheck::Kind::kKnown);
}

TEST_F(KeyFiles, KnownHostsThatCannotBeWrittenIsAnError) {
  std::ofstream(file("not_a_folder")) << "x\n";
  const core::Result<HostCheck> check = check_known_host(
      file("not_a_folder") / "known_hosts", "example:1", Identity::generate().public_key());
  EXPECT_FALSE(check.is_ok());
  EXPECT_NE(check.status().message().find("cannot write"), std::string::npos)
      << check.status().message();
}

// As ssh does: a key file or known_hosts that group or others can open, or that belongs to
// someone else, is refused with the fix named, and left as it is.
TEST_F(KeyFiles, KeyFilesOpenToOthersAreRefusedWithTheFix) {
  const auto key = file("client_key");
  ASSERT_TRUE(Identity::load_or_create(key).is_ok());
  const PublicKey server = Identity::generate().public_key();
  const auto hosts = file("known_hosts");
  EXPECT_EQ(checked(hosts, "example:1", server).kind, HostCheck::Kind::kPinnedNow);
  const std::string pinned = read(hosts);

  for (const auto mode : {0640, 0604, 0660, 0602}) {
    SCOPED_TRACE(mode);
    ASSERT_EQ(::chmod(key.c_str(), mode_t(mode)), 0);
    const core::Result<Identity> loaded = Identity::load_or_create(key);
    ASSERT_FALSE(loaded.is_ok());
    EXPECT_EQ(loaded.status().code(), core::Status::Code::kInvalidInput);
    EXPECT_NE(loaded.status().message().find("chmod 600 " + key.string()), std::string::npos)
        << loaded.status().message();

    ASSERT_EQ(::chmod(hosts.c_str(), mode_t(mode)), 0);
    const core::Result<HostCheck> check = check_known_host(hosts, "example:1", server);
    ASSERT_FALSE(check.is_ok()) << "a known_hosts others can write decides whom we trust";
    EXPECT_NE(check.status().message().find(hosts.string()), std::string::npos)
        << check.status().message();
  }
  EXPECT_EQ(read(hosts), pinned) << "a refused file is never written";
  ASSERT_EQ(::chmod(key.c_str(), 0600), 0);
  EXPECT_TRUE(Identity::load_or_create(key).is_ok()) << "the fix the message names works";
}

TEST_F(KeyFiles, KeyFilesOfAnotherOwnerAreRefused) {
  if (::geteuid() != 0) GTEST_SKIP() << "only root can give a file to another user";
  const auto key = file("server_key");
  ASSERT_TRUE(Identity::load_or_create(key).is_ok());
  constexpr uid_t kNobody = 65534;
  ASSERT_EQ(::chown(key.c_str(), kNobody, kNobody), 0);
  const core::Result<Identity> loaded = Identity::load_or_create(key);
  ASSERT_FALSE(loaded.is_ok());
  EXPECT_NE(loaded.status().message().find("belongs to user id 65534"), std::string::npos)
      << loaded.status().message();
}

TEST_F(KeyFiles, AllowedKeysReadsKeysWithCommentsAndNamesABadLine) {
  const PublicKey a = Identity::generate().public_key();
  const PublicKey b = Identity::generate().public_key();
  std::ofstream(file("allowed")) << "# the team\n"
                                 << a.to_text() << " ada's laptop\n\n"
                                 << b.to_text() << "\n";
  const core::Result<std::vector<PublicKey>> keys = load_allowed_keys(file("allowed"));
  ASSERT_TRUE(keys.is_ok()) << keys.status().message();
  EXPECT_EQ(keys.value(), (std::vector<PublicKey>{a, b}));

  std::ofstream(file("bad")) << a.to_text() << "\nssh-ed25519 AAAA\n";
  const core::Result<std::vector<PublicKey>> bad = load_allowed_keys(file("bad"));
  EXPECT_EQ(bad.status().code(), core::Status::Code::kInvalidInput);
  EXPECT_NE(bad.status().message().find("bad:2"), std::string::npos) << bad.status().message();
  const core::Result<std::vector<PublicKey>> missing = load_allowed_keys(file("missing"));
  EXPECT_EQ(missing.status().code(), core::Status::Code::kInvalidInput);
  EXPECT_NE(missing.status().message().find("cannot read"), std::string::npos)
      << missing.status().message();
}

}  // namespace
}  // namespace ttycall::net
