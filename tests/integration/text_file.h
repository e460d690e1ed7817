#pragma once
// Reading what the processes under test wrote.
#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

namespace ttycall::itest {

// The whole file, or nullopt if it cannot be opened (not written yet).
std::optional<std::string> read_file(const std::string& path);
// The whole file, or "" if it cannot be opened.
std::string read_file_or_empty(const std::string& path);
// Non-overlapping occurrences of `needle` in `text`.
size_t count_occurrences(std::string_view text, std::string_view needle);

}  // namespace ttycall::itest
