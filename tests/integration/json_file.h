#pragma once
// Stats files written by the server and the client (--stats-json).
#include <nlohmann/json.hpp>
#include <optional>
#include <string>

namespace ttycall::itest {

// The parsed file. Throws std::runtime_error (with the path and the file's text) if it is
// missing or not valid JSON.
nlohmann::json read_json_file(const std::string& path);

// The number at `pointer` ("/frames_sent", "/heap/allocs_total") in the file, or nullopt
// while the file is not there yet; a file that is there must be valid JSON and have it
// (std::runtime_error or nlohmann's exception otherwise). For a file that is rewritten while
// its process runs (the server's --stats-json with --memory-report-interval): the server
// writes it whole and renames it into place, so a reader never sees half a file.
std::optional<double> read_json_number(const std::string& path, const std::string& pointer);

}  // namespace ttycall::itest
