#pragma once
// Stats files written by the server and the client (--stats-json).
#include <nlohmann/json.hpp>
#include <string>

namespace ttycall::itest {

// The parsed file. Throws std::runtime_error (with the path and the file's text) if it is
// missing or not valid JSON.
nlohmann::json read_json_file(const std::string& path);

}  // namespace ttycall::itest
