// CRC32C: known vectors (RFC 3720 appendix B.4 and the usual check value), and the scalar,
// hardware and dispatching versions held equal on every length and alignment.
#include "net/crc32c.h"

#include <gtest/gtest.h>

#include <array>
#include <cstdint>
#include <random>
#include <span>
#include <string_view>
#include <vector>

namespace ttycall::net {
namespace {

std::span<const uint8_t> as_bytes(std::string_view text) {
  return {reinterpret_cast<const uint8_t*>(text.data()), text.size()};
}

struct Vector {
  const char* name;
  std::vector<uint8_t> data;
  uint32_t crc;
};

std::vector<Vector> known_vectors() {
  std::vector<Vector> v;
  const auto check = as_bytes("123456789");
  v.push_back({"check value", {check.begin(), check.end()}, 0xE3069283u});
  v.push_back({"empty", {}, 0x00000000u});
  v.push_back({"single a", {'a'}, 0xC1D04330u});
  v.push_back({"32 zeros", std::vector<uint8_t>(32, 0x00), 0x8A9136AAu});
  v.push_back({"32 ones", std::vector<uint8_t>(32, 0xFF), 0x62A8AB43u});
  std::vector<uint8_t> up(32), down(32);
  for (int i = 0; i < 32; ++i) {
    up[i] = uint8_t(i);
    down[i] = uint8_t(31 - i);
  }
  v.push_back({"32 incrementing", up, 0x46DD794Eu});
  v.push_back({"32 decrementing", down, 0x113FDB5Cu});
  return v;
}

std::vector<uint8_t> random_bytes(size_t n, uint32_t seed) {
  std::mt19937 rng(seed);
  std::vector<uint8_t> out(n);
  for (auto& b : out) b = uint8_t(rng());
  return out;
}

TEST(Crc32c, ScalarMatchesKnownVectors) {
  for (const auto& v : known_vectors()) EXPECT_EQ(crc32c_scalar(v.data), v.crc) << v.name;
}

TEST(Crc32c, DispatchMatchesKnownVectors) {
  for (const auto& v : known_vectors()) EXPECT_EQ(crc32c(v.data), v.crc) << v.name;
}

TEST(Crc32c, HardwareMatchesKnownVectors) {
  if (!crc32c_hardware_available()) GTEST_SKIP() << "CPU has no SSE4.2";
  for (const auto& v : known_vectors()) EXPECT_EQ(crc32c_hardware(v.data), v.crc) << v.name;
}

TEST(Crc32c, AvailabilityIsStable) {
  EXPECT_EQ(crc32c_hardware_available(), crc32c_hardware_available());
}

TEST(Crc32c, DispatchEqualsScalarOnAllLengthsAndAlignments) {
  const auto buffer = random_bytes(1024 + 16, 1);
  for (size_t offset = 0; offset < 16; ++offset) {
    for (size_t len = 0; len <= 1024; ++len) {
      const auto data = std::span(buffer).subspan(offset, len);
      ASSERT_EQ(crc32c(data), crc32c_scalar(data)) << "offset " << offset << " len " << len;
    }
  }
}

TEST(Crc32c, HardwareEqualsScalarOnAllLengthsAndAlignments) {
  if (!crc32c_hardware_available()) GTEST_SKIP() << "CPU has no SSE4.2";
  for (uint32_t seed = 1; seed <= 4; ++seed) {
    const auto buffer = random_bytes(1024 + 16, seed);
    for (size_t offset = 0; offset < 16; ++offset) {
      for (size_t len = 0; len <= 1024; ++len) {
        const auto data = std::span(buffer).subspan(offset, len);
        ASSERT_EQ(crc32c_hardware(data), crc32c_scalar(data))
            << "seed " << seed << " offset " << offset << " len " << len;
      }
    }
  }
}

TEST(Crc32c, HardwareEqualsScalarOnLargeBuffer) {
  if (!crc32c_hardware_available()) GTEST_SKIP() << "CPU has no SSE4.2";
  const auto buffer = random_bytes(3u << 20, 7);
  EXPECT_EQ(crc32c_hardware(buffer), crc32c_scalar(buffer));
}

TEST(Crc32c, DetectsEverySingleBitFlip) {
  auto buffer = random_bytes(64, 3);
  const uint32_t original = crc32c(buffer);
  for (size_t bit = 0; bit < buffer.size() * 8; ++bit) {
    buffer[bit / 8] ^= uint8_t(1u << (bit % 8));
    EXPECT_NE(crc32c(buffer), original) << "bit " << bit;
    EXPECT_NE(crc32c_scalar(buffer), original) << "bit " << bit;
    buffer[bit / 8] ^= uint8_t(1u << (bit % 8));
  }
  EXPECT_EQ(crc32c(buffer), original);
}

}  // namespace
}  // namespace ttycall::net
