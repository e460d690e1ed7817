#include "json_file.h"

#include <stdexcept>

#include "text_file.h"

namespace ttycall::itest {

nlohmann::json read_json_file(const std::string& path) {
  const std::optional<std::string> text = read_file(path);
  if (!text) throw std::runtime_error("no stats file " + path);
  try {
    return nlohmann::json::parse(*text);
  } catch (const nlohmann::json::exception& e) {
    throw std::runtime_error("stats file " + path + " is not JSON (" + e.what() + "):\n" + *text);
  }
}

std::optional<double> read_json_number(const std::string& path, const std::string& pointer) {
  if (!read_file(path)) return std::nullopt;
  return read_json_file(path).at(nlohmann::json::json_pointer(pointer)).get<double>();
}

}  // namespace ttycall::itest
