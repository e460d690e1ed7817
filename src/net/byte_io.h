#pragma once
// Little-endian, bounds-checked reading and writing of fixed-width integers and byte runs over
// a caller's buffer. Both classes fail "sticky": the first access that does not fit marks the
// object failed, that access and every later one do nothing (reads yield 0 / an empty span),
// and ok() reports false. Codecs therefore read or write a whole layout and check ok() once.
// Neither class allocates or owns memory.
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <span>
#include <string_view>

namespace ttycall::net {

class ByteWriter {
 public:
  explicit ByteWriter(std::span<uint8_t> out) : out_(out) {}

  void u8(uint8_t v) { put(v, 1); }
  void u16(uint16_t v) { put(v, 2); }
  void u32(uint32_t v) { put(v, 4); }
  void u64(uint64_t v) { put(v, 8); }
  void bytes(std::span<const uint8_t> data) {
    if (uint8_t* p = reserve(data.size()); p != nullptr && !data.empty()) {
      std::memcpy(p, data.data(), data.size());
    }
  }
  void bytes(std::string_view text) {
    bytes(std::span<const uint8_t>(reinterpret_cast<const uint8_t*>(text.data()), text.size()));
  }

  bool ok() const { return ok_; }
  size_t size() const { return pos_; }  // bytes written so far

 private:
  uint8_t* reserve(size_t n) {
    if (!ok_ || n > out_.size() - pos_) {
      ok_ = false;
      return nullptr;
    }
    uint8_t* p = out_.data() + pos_;
    pos_ += n;
    return p;
  }
  void put(uint64_t v, size_t n) {
    if (uint8_t* p = reserve(n)) {
      for (size_t i = 0; i < n; ++i) p[i] = uint8_t(v >> (8 * i));
    }
  }

  std::span<uint8_t> out_;
  size_t pos_ = 0;
  bool ok_ = true;
};

class ByteReader {
 public:
  explicit ByteReader(std::span<const uint8_t> in) : in_(in) {}

  uint8_t u8() { return uint8_t(get(1)); }
  uint16_t u16() { return uint16_t(get(2)); }
  uint32_t u32() { return uint32_t(get(4)); }
  uint64_t u64() { return get(8); }
  // The next n bytes as a view into the input; empty (and failed) if fewer remain.
  std::span<const uint8_t> bytes(size_t n) {
    if (!ok_ || n > remaining()) {
      ok_ = false;
      return {};
    }
    const auto view = in_.subspan(pos_, n);
    pos_ += n;
    return view;
  }
  // Everything not read yet; the reader is then at its end.
  std::span<const uint8_t> rest() { return bytes(remaining()); }

  bool ok() const { return ok_; }
  size_t remaining() const { return in_.size() - pos_; }
  // True when every read fitted and the whole input was consumed.
  bool done() const { return ok_ && pos_ == in_.size(); }

 private:
  uint64_t get(size_t n) {
    if (!ok_ || n > remaining()) {
      ok_ = false;
      return 0;
    }
    uint64_t v = 0;
    for (size_t i = 0; i < n; ++i) v |= uint64_t(in_[pos_ + i]) << (8 * i);
    pos_ += n;
    return v;
  }

  std::span<const uint8_t> in_;
  size_t pos_ = 0;
  bool ok_ = true;
};

}  // namespace ttycall::net
