#pragma once
// Helpers shared by the libFuzzer targets: a CHECK that aborts (libFuzzer then saves the
// input as a crash), exact-size heap copies (so ASan catches any read past the end of one
// payload even when it sits in the middle of the fuzzer's input), and the "decoder leaves
// its output untouched on reject" check from docs/PROTOCOL.md section 9.
#include <array>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <span>
#include <string_view>
#include <type_traits>

#define FUZZ_CHECK(cond)                                                                 \
  do {                                                                                   \
    if (!(cond)) {                                                                       \
      std::fprintf(stderr, "%s:%d: FUZZ_CHECK failed: %s\n", __FILE__, __LINE__, #cond); \
      std::abort();                                                                      \
    }                                                                                    \
  } while (0)

// FUZZ_TRACE(...) prints when TTYCALL_FUZZ_TRACE is set: run a target on one input to see
// how far it got (e.g. `TTYCALL_FUZZ_TRACE=1 build-fuzz/fuzz/video_fuzz fuzz/corpus/video_fuzz/*`).
#define FUZZ_TRACE(...)                                                      \
  do {                                                                       \
    if (::ttycall::fuzz::trace_enabled()) std::fprintf(stderr, __VA_ARGS__); \
  } while (0)

namespace ttycall::fuzz {

inline bool trace_enabled() {
  static const bool enabled = std::getenv("TTYCALL_FUZZ_TRACE") != nullptr;
  return enabled;
}

// A malloc'd copy of exactly `bytes.size()` bytes: ASan's redzone starts right after it.
class ExactCopy {
 public:
  explicit ExactCopy(std::span<const uint8_t> bytes)
      : data_(static_cast<uint8_t*>(std::malloc(bytes.empty() ? 1 : bytes.size()))),
        size_(bytes.size()) {
    if (!bytes.empty()) std::memcpy(data_, bytes.data(), bytes.size());
  }
  ~ExactCopy() { std::free(data_); }
  ExactCopy(const ExactCopy&) = delete;
  ExactCopy& operator=(const ExactCopy&) = delete;
  std::span<const uint8_t> span() const { return {data_, size_}; }

 private:
  uint8_t* data_;
  size_t size_;
};

// An output buffer for code that ASan does not instrument (libturbojpeg, libopus
// are Debian's builds): ASan sees only what they do through intercepted functions, so a
// plain overrun of the caller's buffer would go unnoticed. The span handed out is framed by
// guard bytes inside one allocation; check() verifies them after the call. The span also
// ends where the guard begins, and the allocation ends after the guard, so instrumented code
// running past it still hits ASan's redzone.
class GuardedBuffer {
 public:
  static constexpr size_t kGuard = 64;
  static constexpr uint8_t kPattern = 0xA5;

  explicit GuardedBuffer(size_t capacity)
      : capacity_(capacity), base_(static_cast<uint8_t*>(std::malloc(capacity + 2 * kGuard))) {}
  ~GuardedBuffer() { std::free(base_); }
  GuardedBuffer(const GuardedBuffer&) = delete;
  GuardedBuffer& operator=(const GuardedBuffer&) = delete;

  size_t capacity() const { return capacity_; }
  // A span of `size` bytes (at most capacity()) ending right before the back guard, with
  // the guards on both sides of it armed.
  std::span<uint8_t> arm(size_t size) {
    if (size > capacity_) size = capacity_;
    front_ = base_ + kGuard + (capacity_ - size);
    size_ = size;
    std::memset(front_ - kGuard, kPattern, kGuard);
    std::memset(front_ + size_, kPattern, kGuard);
    return {front_, size_};
  }
  bool intact() const {
    for (size_t i = 0; i < kGuard; ++i) {
      if (front_[-1 - std::ptrdiff_t(i)] != kPattern || front_[size_ + i] != kPattern) return false;
    }
    return true;
  }

 private:
  size_t capacity_;
  uint8_t* base_;
  uint8_t* front_ = nullptr;
  size_t size_ = 0;
};

// Fills `out` with a recognisable byte pattern and returns a byte snapshot of it (padding
// included: a snapshot, not a copy of the struct, whose copy may skip padding), so a caller
// can check afterwards that a rejecting decoder did not write to `out`.
template <class T>
using Snapshot = std::array<unsigned char, sizeof(T)>;

template <class T>
Snapshot<T> poison(T& out) {
  static_assert(std::is_trivially_copyable_v<T>);
  std::memset(static_cast<void*>(&out), 0xA5, sizeof(T));
  Snapshot<T> snapshot;
  std::memcpy(snapshot.data(), &out, sizeof(T));
  return snapshot;
}

template <class T>
bool unchanged(const T& value, const Snapshot<T>& snapshot) {
  return std::memcmp(&value, snapshot.data(), sizeof(T)) == 0;
}

inline bool same_bytes(std::span<const uint8_t> a, std::span<const uint8_t> b) {
  return a.size() == b.size() && (a.empty() || std::memcmp(a.data(), b.data(), a.size()) == 0);
}

// An independent reading of the protocol's text rule (docs/PROTOCOL.md section 1): strict
// UTF-8 (no overlong forms, no surrogates, nothing above U+10FFFF, no truncated sequences)
// without C0 controls, DEL or C1 controls. Written differently from src/net/protocol.cpp on
// purpose, so the fuzzers can compare the two.
inline bool clean_text_reference(std::span<const uint8_t> s) {
  size_t i = 0;
  while (i < s.size()) {
    const uint8_t b = s[i];
    size_t len;
    uint32_t cp;
    uint32_t min;
    if (b <= 0x7F) {
      len = 1, cp = b, min = 0;
    } else if ((b & 0xE0) == 0xC0) {
      len = 2, cp = b & 0x1F, min = 0x80;
    } else if ((b & 0xF0) == 0xE0) {
      len = 3, cp = b & 0x0F, min = 0x800;
    } else if ((b & 0xF8) == 0xF0) {
      len = 4, cp = b & 0x07, min = 0x10000;
    } else {
      return false;
    }
    if (s.size() - i < len) return false;
    for (size_t k = 1; k < len; ++k) {
      if ((s[i + k] & 0xC0) != 0x80) return false;
      cp = cp << 6 | (s[i + k] & 0x3F);
    }
    if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) return false;
    if (cp < 0x20 || (cp >= 0x7F && cp <= 0x9F)) return false;
    i += len;
  }
  return true;
}

inline bool clean_text_reference(std::string_view s) {
  return clean_text_reference(
      std::span<const uint8_t>(reinterpret_cast<const uint8_t*>(s.data()), s.size()));
}

// True if `sub` can be obtained from `text` by deleting bytes.
inline bool is_subsequence(std::string_view sub, std::string_view text) {
  size_t j = 0;
  for (size_t i = 0; i < text.size() && j < sub.size(); ++i) {
    if (text[i] == sub[j]) ++j;
  }
  return j == sub.size();
}

}  // namespace ttycall::fuzz
