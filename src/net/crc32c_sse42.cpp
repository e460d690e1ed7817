// CRC32C with the SSE4.2 crc32 instruction. The file is built without -msse4.2: only the
// functions marked target("sse4.2") use the instruction, and crc32c() in crc32c.cpp calls
// them only after crc32c_hardware_available() has said yes, so the binary still runs on a CPU
// without SSE4.2. On other architectures the hardware path is reported unavailable.
#include "net/crc32c.h"

#include <cstring>

#if defined(__x86_64__) || defined(__i386__)
#include <nmmintrin.h>
#define TTYCALL_CRC32C_X86 1
#else
#define TTYCALL_CRC32C_X86 0
#endif

namespace ttycall::net {

#if TTYCALL_CRC32C_X86
namespace {

__attribute__((target("sse4.2"))) uint32_t crc32c_sse42(const uint8_t* p, size_t n) {
  uint32_t crc = 0xFFFFFFFFu;
  // Bring the pointer to an 8-byte boundary, then fold 8 bytes per instruction.
  while (n > 0 && (reinterpret_cast<uintptr_t>(p) & 7u) != 0) {
    crc = _mm_crc32_u8(crc, *p++);
    --n;
  }
#if defined(__x86_64__)
  uint64_t crc64 = crc;
  while (n >= 8) {
    uint64_t word;
    std::memcpy(&word, p, sizeof word);
    crc64 = _mm_crc32_u64(crc64, word);
    p += 8;
    n -= 8;
  }
  crc = uint32_t(crc64);
#endif
  while (n >= 4) {
    uint32_t word;
    std::memcpy(&word, p, sizeof word);
    crc = _mm_crc32_u32(crc, word);
    p += 4;
    n -= 4;
  }
  while (n > 0) {
    crc = _mm_crc32_u8(crc, *p++);
    --n;
  }
  return ~crc;
}

}  // namespace

bool crc32c_hardware_available() {
  static const bool available = [] {
    __builtin_cpu_init();
    return __builtin_cpu_supports("sse4.2") != 0;
  }();
  return available;
}

uint32_t crc32c_hardware(std::span<const uint8_t> data) {
  return crc32c_sse42(data.data(), data.size());
}

#else  // not x86

bool crc32c_hardware_available() {
  return false;
}

// Never chosen by crc32c(); kept correct for callers that ignore the availability check.
uint32_t crc32c_hardware(std::span<const uint8_t> data) {
  return crc32c_scalar(data);
}

#endif

}  // namespace ttycall::net
