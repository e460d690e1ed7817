#include "net/keys.h"

#include <fcntl.h>
#include <sodium.h>
#include <sys/stat.h>
#include <unistd.h>

#include <fstream>
#include <stdexcept>
#include <system_error>

#include "core/paths.h"

namespace ttycall::net {
namespace {

constexpr int kBase64 = sodium_base64_VARIANT_ORIGINAL_NO_PADDING;
constexpr std::string_view kFileHeader = "ttycall identity v1\n";

std::string to_base64(std::span<const uint8_t> bytes) {
  std::string text(sodium_base64_encoded_len(bytes.size(), kBase64), '\0');
  sodium_bin2base64(text.data(), text.size(), bytes.data(), bytes.size(), kBase64);
  text.resize(text.find('\0'));
  return text;
}

bool from_base64(std::string_view text, std::span<uint8_t> out) {
  size_t written = 0;
  const char* end = nullptr;
  if (sodium_base642bin(out.data(), out.size(), text.data(), text.size(), nullptr, &written, &end,
                        kBase64) != 0) {
    return false;
  }
  return written == out.size() && end == text.data() + text.size();
}

}  // namespace

void ensure_sodium() {
  if (sodium_init() < 0) throw std::runtime_error("libsodium could not be initialised");
}

std::string PublicKey::to_text() const {
  return to_base64(bytes);
}

std::optional<PublicKey> PublicKey::from_text(std::string_view text) {
  ensure_sodium();
  PublicKey key;
  if (!from_base64(text, key.bytes)) return std::nullopt;
  return key;
}

Identity::~Identity() {
  sodium_memzero(secret_.data(), secret_.size());
}

Identity Identity::generate() {
  ensure_sodium();
  Identity id;
  crypto_sign_ed25519_keypair(id.public_.bytes.data(), id.secret_.data());
  return id;
}

core::Result<Identity> Identity::load_or_create(const std::filesystem::path& file) {
  ensure_sodium();
  std::error_code ec;
  if (!std::filesystem::exists(file, ec)) {
    Identity id = generate();
    if (file.has_parent_path()) {
      if (core::Status made = core::create_private_directories(file.parent_path()); !made.is_ok()) {
        return made;
      }
    }
    // Written whole to a private temporary file (mkstemp: mode 0600), then linked into
    // place: link() fails if another process got there first, and nobody ever reads a
    // half-written key.
    std::string temp = file.string() + ".new-XXXXXX";
    const int fd = ::mkstemp(temp.data());
    if (fd < 0) {
      return core::Status::failed("cannot create " + file.string() + ": " +
                                  std::generic_category().message(errno));
    }
    std::string text = std::string(kFileHeader) + to_base64(id.secret_) + "\n";
    const bool written = ::write(fd, text.data(), text.size()) == ssize_t(text.size());
    sodium_memzero(text.data(), text.size());
    ::close(fd);
    const int linked = written ? ::link(temp.c_str(), file.c_str()) : -1;
    const int link_errno = errno;
    ::unlink(temp.c_str());
    if (linked != 0 && written && link_errno == EEXIST) return load_or_create(file);
    if (linked != 0) return core::Status::failed("cannot write " + file.string());
    return id;
  }
  if (core::Status private_file = core::check_private_file(file); !private_file.is_ok()) {
    return private_file;
  }
  std::ifstream in(file);
  std::string header, secret_text;
  if (!in) return core::Status::failed("cannot read the identity in " + file.string());
  std::getline(in, header);
  std::getline(in, secret_text);
  Identity id;
  if (header + "\n" != kFileHeader || !from_base64(secret_text, id.secret_)) {
    sodium_memzero(secret_text.data(), secret_text.size());
    return core::Status::failed(file.string() +
                                " is not a ttycall identity file (move it away to make a new one)");
  }
  sodium_memzero(secret_text.data(), secret_text.size());
  crypto_sign_ed25519_sk_to_pk(id.public_.bytes.data(), id.secret_.data());
  return id;
}

Signature Identity::sign(std::span<const uint8_t> message) const {
  Signature signature{};
  crypto_sign_ed25519_detached(signature.data(), nullptr, message.data(), message.size(),
                               secret_.data());
  return signature;
}

bool verify(const PublicKey& key, std::span<const uint8_t> message, const Signature& signature) {
  return crypto_sign_ed25519_verify_detached(signature.data(), message.data(), message.size(),
                                             key.bytes.data()) == 0;
}

}  // namespace ttycall::net
