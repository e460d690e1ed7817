#pragma once
// Which rooms a server has, and what each asks of those who join: `--rooms open` lets any
// valid name make a room; `--rooms FILE` allows only the rooms the file lists, each with
// an optional password and member limit:
//
//   # comment
//   standup
//   board password=s3cret max=8
//
// A line is a room name (no spaces) then `key=value` fields. The file is checked whole at
// start-up; a mistake is an error naming its line. Room passwords, like the server's, are
// kept only as Argon2id keys derived with the salt the server announces (key_exchange.h).
#include <array>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/status.h"
#include "net/key_exchange.h"

namespace ttycall::server {

// One line of a rooms file, as written.
struct RoomSpec {
  std::string name;
  std::string password;  // empty: none
  int max_members = 0;   // 0: the server's --max-room-size
};

// Parses a rooms file's text; `file` names it in messages ("FILE:LINE: what is wrong").
// `max_room_size` bounds every max=.
core::Result<std::vector<RoomSpec>> parse_rooms_file(std::string_view text, std::string_view file,
                                                     int max_room_size);

class RoomPolicy {
 public:
  struct Rule {
    std::string name;
    std::optional<net::PasswordKey> password;  // set: a joiner must prove it
    int max_members = 0;
  };

  // Any valid room name is a room, of at most `max_room_size` members, without a password.
  static RoomPolicy open(int max_room_size);
  // Only `rooms`; passwords are derived with `salt` (slow: Argon2id per password).
  static core::Result<RoomPolicy> listed(const std::vector<RoomSpec>& rooms,
                                         const std::array<uint8_t, net::kSaltBytes>& salt,
                                         int max_room_size);
  // `--rooms open` or `--rooms FILE`, read and checked.
  static core::Result<RoomPolicy> from_option(const std::string& option,
                                              const std::array<uint8_t, net::kSaltBytes>& salt,
                                              int max_room_size);

  // The rule of the room `name` (a valid room name), or nullptr if there is no such room.
  const Rule* find(std::string_view name) const;
  bool is_open() const { return open_; }
  bool has_passwords() const;

 private:
  bool open_ = true;
  Rule any_;                 // the rule of every room when open
  std::vector<Rule> rules_;  // when listed
};

}  // namespace ttycall::server
