#include "server/room_policy.h"

#include <algorithm>
#include <charconv>
#include <fstream>
#include <sstream>

#include "core/utf8.h"
#include "net/protocol.h"

namespace ttycall::server {
namespace {

std::string at_line(std::string_view file, int line, std::string_view what) {
  return std::string(file) + ":" + std::to_string(line) + ": " + std::string(what);
}

bool parse_int(std::string_view text, int& out) {
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), out);
  return ec == std::errc() && end == text.data() + text.size();
}

}  // namespace

core::Result<std::vector<RoomSpec>> parse_rooms_file(std::string_view text, std::string_view file,
                                                     int max_room_size) {
  std::vector<RoomSpec> rooms;
  std::istringstream lines{std::string(text)};
  std::string line;
  int number = 0;
  while (std::getline(lines, line)) {
    ++number;
    std::istringstream fields(line);
    std::string field;
    if (!(fields >> field) || field[0] == '#') continue;
    RoomSpec spec;
    spec.name = field;
    if (!net::is_valid_room_name(spec.name)) {
      return core::Status::invalid_input(
          at_line(file, number,
                  "'" + core::utf8::printable(spec.name) + "' is not a room name (1-" +
                      std::to_string(net::kMaxRoomNameBytes) +
                      " bytes of UTF-8, no control, format or bidi characters)"));
    }
    const bool duplicate = std::any_of(rooms.begin(), rooms.end(),
                                       [&](const RoomSpec& r) { return r.name == spec.name; });
    if (duplicate) {
      return core::Status::invalid_input(at_line(file, number, "room '" + spec.name + "' again"));
    }
    while (fields >> field) {
      const size_t eq = field.find('=');
      const std::string_view key = std::string_view(field).substr(0, eq);
      const std::string_view value =
          eq == std::string::npos ? std::string_view() : std::string_view(field).substr(eq + 1);
      if (eq != std::string::npos && key == "password" && !value.empty()) {
        spec.password = value;
      } else if (eq != std::string::npos && key == "max") {
        if (!parse_int(value, spec.max_members) || spec.max_members < 1 ||
            spec.max_members > max_room_size) {
          return core::Status::invalid_input(at_line(file, number,
                                                     "max= must be a number from 1 to " +
                                                         std::to_string(max_room_size) +
                                                         " (the server's --max-room-size)"));
        }
      } else {
        return core::Status::invalid_input(
            at_line(file, number,
                    "unknown field '" + core::utf8::printable(field) +
                        "' (a room line is NAME [password=PASSWORD] [max=N])"));
      }
    }
    rooms.push_back(std::move(spec));
  }
  if (rooms.empty()) return core::Status::invalid_input(std::string(file) + ": lists no rooms");
  return rooms;
}

RoomPolicy RoomPolicy::open(int max_room_size) {
  RoomPolicy policy;
  policy.any_.max_members = max_room_size;
  return policy;
}

core::Result<RoomPolicy> RoomPolicy::listed(const std::vector<RoomSpec>& rooms,
                                            const std::array<uint8_t, net::kSaltBytes>& salt,
                                            int max_room_size) {
  RoomPolicy policy;
  policy.open_ = false;
  for (const RoomSpec& spec : rooms) {
    Rule rule{spec.name, std::nullopt, spec.max_members > 0 ? spec.max_members : max_room_size};
    if (!spec.password.empty()) {
      rule.password = net::PasswordKey::derive(spec.password, salt);
      if (!rule.password) return core::Status::failed("not enough memory to hash a room password");
    }
    policy.rules_.push_back(std::move(rule));
  }
  return policy;
}

core::Result<RoomPolicy> RoomPolicy::from_option(const std::string& option,
                                                 const std::array<uint8_t, net::kSaltBytes>& salt,
                                                 int max_room_size) {
  if (option.empty() || option == "open") return open(max_room_size);
  std::ifstream in(option);
  if (!in) return core::Status::invalid_input("--rooms: cannot read " + option);
  std::stringstream text;
  text << in.rdbuf();
  core::Result<std::vector<RoomSpec>> rooms = parse_rooms_file(text.str(), option, max_room_size);
  if (!rooms.is_ok()) return rooms.status();
  return listed(*rooms, salt, max_room_size);
}

const RoomPolicy::Rule* RoomPolicy::find(std::string_view name) const {
  if (open_) return &any_;
  for (const Rule& rule : rules_) {
    if (rule.name == name) return &rule;
  }
  return nullptr;
}

bool RoomPolicy::has_passwords() const {
  return std::any_of(rules_.begin(), rules_.end(), [](const Rule& r) { return r.password; });
}

}  // namespace ttycall::server
