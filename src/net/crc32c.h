#pragma once
// CRC32C (Castagnoli), the checksum of every packet payload. The SSE4.2 version is chosen
// at run time when the CPU has it; the scalar version is always there and tested equal.
#include <cstddef>
#include <cstdint>
#include <span>

namespace ttycall::net {

uint32_t crc32c(std::span<const uint8_t> data);
uint32_t crc32c_scalar(std::span<const uint8_t> data);
// Hardware version; only call when crc32c_hardware_available().
uint32_t crc32c_hardware(std::span<const uint8_t> data);
bool crc32c_hardware_available();

}  // namespace ttycall::net
