#include "net/allowed_keys.h"

#include <fstream>
#include <sstream>

namespace ttycall::net {

core::Result<std::vector<PublicKey>> load_allowed_keys(const std::filesystem::path& file) {
  std::ifstream in(file);
  if (!in) return core::Status::invalid_input("cannot read " + file.string());
  std::vector<PublicKey> keys;
  std::string line;
  int number = 0;
  while (std::getline(in, line)) {
    ++number;
    std::istringstream fields(line);
    std::string key_text;
    if (!(fields >> key_text) || key_text[0] == '#') continue;
    const std::optional<PublicKey> key = PublicKey::from_text(key_text);
    if (!key) {
      return core::Status::invalid_input(
          file.string() + ":" + std::to_string(number) +
          ": not a ttycall public key (expected what `ttycall key` prints)");
    }
    keys.push_back(*key);
  }
  return keys;
}

}  // namespace ttycall::net
