#pragma once
// The marker segments of a JPEG header, read without decoding anything: what strips and
// restores the tables of the pictures going down (jpeg_tables.h), and what tells a
// baseline JPEG from the kinds ttycall never sends (progressive, arithmetic, lossless,
// hierarchical), whose decoding can cost hundreds of times more per byte.
#include <cstddef>
#include <cstdint>
#include <span>

namespace ttycall::media::jpeg_markers {

constexpr uint8_t kMarker = 0xFF;
constexpr uint8_t kSoi = 0xD8;
constexpr uint8_t kSof0 = 0xC0;  // baseline DCT, Huffman
constexpr uint8_t kSos = 0xDA;
constexpr uint8_t kDqt = 0xDB;
constexpr uint8_t kDht = 0xC4;
constexpr uint8_t kCom = 0xFE;

// Start of frame of any kind: C0-CF but DHT (C4), JPG (C8) and DAC (CC).
constexpr bool is_start_of_frame(uint8_t marker) {
  return marker >= 0xC0 && marker <= 0xCF && marker != kDht && marker != 0xC8 && marker != 0xCC;
}

// Calls visit(marker, segment) for each segment between SOI and the first SOS (SOS
// included, then stops); false if the stream ends inside a segment or has no SOS.
template <class Visit>
bool for_each_segment(std::span<const uint8_t> jpeg, Visit&& visit) {
  if (jpeg.size() < 4 || jpeg[0] != kMarker || jpeg[1] != kSoi) return false;
  size_t at = 2;
  while (at + 4 <= jpeg.size()) {
    if (jpeg[at] != kMarker) return false;
    const uint8_t marker = jpeg[at + 1];
    const size_t length = size_t(jpeg[at + 2]) << 8 | jpeg[at + 3];
    if (length < 2 || at + 2 + length > jpeg.size()) return false;
    visit(marker, jpeg.subspan(at, 2 + length));
    if (marker == kSos) return true;
    at += 2 + length;
  }
  return false;
}

// True for a baseline JPEG: one frame header before the first scan, and it is SOF0. Every
// frame ttycall encodes is one; anything else is refused before it reaches a decoder.
bool is_baseline(std::span<const uint8_t> jpeg);

}  // namespace ttycall::media::jpeg_markers
