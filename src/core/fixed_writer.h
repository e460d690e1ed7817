#pragma once
// Appends formatted text into a fixed buffer, silently truncating at its end: reports that
// must not allocate (the Memory Report and its sections) are written with it.
#include <fmt/format.h>

#include <algorithm>
#include <span>
#include <string_view>
#include <utility>

namespace ttycall::core {

class FixedWriter {
 public:
  explicit FixedWriter(std::span<char> buffer) : buffer_(buffer) {}
  template <class... Args>
  void add(fmt::format_string<Args...> format, Args&&... args) {
    if (used_ >= buffer_.size()) return;
    auto result = fmt::format_to_n(buffer_.data() + used_, buffer_.size() - used_, format,
                                   std::forward<Args>(args)...);
    used_ += std::min(result.size, buffer_.size() - used_);
  }
  std::string_view text() const { return {buffer_.data(), used_}; }

 private:
  std::span<char> buffer_;
  size_t used_ = 0;
};

}  // namespace ttycall::core
