#pragma once
// The one way ttycall reports an error from an operation that can fail: a Status is
// either ok or carries a code and a message a person can read; a Result<T> is a value or
// the Status that says why there is none. Everything that can fail at a module line
// returns one of these, and only the edge (a command) turns them into exit codes and
// printed lines. Hot paths that fail per packet or per frame (a decoder refusing bytes)
// return bool and count instead: their failure is a statistic, not a message.
//
// An ok Status holds no string, so success never allocates.
#include <optional>
#include <string>
#include <utility>

namespace ttycall::core {

class [[nodiscard]] Status {
 public:
  enum class Code : unsigned char {
    kOk,
    kInvalidInput,  // the user's options, files or data are unusable (exit code 2)
    kFailed,        // the operation could not be done (exit code 1)
    kKeyChanged,    // a pinned server key changed: possible interception (exit code 4)
  };

  Status() = default;  // ok
  static Status ok() { return {}; }
  static Status invalid_input(std::string message) {
    return {Code::kInvalidInput, std::move(message)};
  }
  static Status failed(std::string message) { return {Code::kFailed, std::move(message)}; }
  static Status key_changed(std::string message) { return {Code::kKeyChanged, std::move(message)}; }

  bool is_ok() const { return code_ == Code::kOk; }
  Code code() const { return code_; }
  const std::string& message() const { return message_; }
  // The process exit code a command ends with for this status.
  int exit_code() const {
    switch (code_) {
      case Code::kOk:
        return 0;
      case Code::kInvalidInput:
        return 2;
      case Code::kFailed:
        return 1;
      case Code::kKeyChanged:
        return 4;
    }
    return 1;
  }

 private:
  Status(Code code, std::string message) : code_(code), message_(std::move(message)) {}

  Code code_ = Code::kOk;
  std::string message_;
};

// A value, or the Status that says why there is none.
template <class T>
class [[nodiscard]] Result {
 public:
  Result(T value) : value_(std::move(value)) {}          // NOLINT: implicit, like a return value
  Result(Status status) : status_(std::move(status)) {}  // NOLINT
  bool is_ok() const { return value_.has_value(); }
  const Status& status() const { return status_; }
  T& value() { return *value_; }
  const T& value() const { return *value_; }
  T& operator*() { return *value_; }
  T* operator->() { return &*value_; }

 private:
  std::optional<T> value_;
  Status status_;
};

}  // namespace ttycall::core
