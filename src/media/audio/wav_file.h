#pragma once
// WAV files for headless calls: `--audio file:PATH.wav` reads one, `--audio-out file:PATH.wav`
// records one.
//
// WavWriter streams 16-bit PCM mono 48 kHz: open() writes a header with zero sizes, write()
// appends samples (float, clipped to int16, or int16), close() (or the destructor) patches
// the RIFF and data sizes, so a recording cut short still has a valid header up to its last
// close().
// WavReader accepts 16-bit PCM (format 1, or WAVE_FORMAT_EXTENSIBLE with a PCM sub-format),
// mono or stereo (downmixed to mono by averaging), at 8..192 kHz; rates other than 48 kHz
// are resampled to 48 kHz by linear interpolation (no anti-alias filter: fine for test
// signals and speech, not for music at high rates). Anything else is refused by open()
// with a Status that says what the file is and what is accepted.
// Neither class allocates after open(); error messages are built only on failure.
#include <array>
#include <cstdint>
#include <cstdio>
#include <span>
#include <string>

#include "core/status.h"
#include "media/audio/audio_format.h"

namespace ttycall::media::audio {

class WavWriter {
 public:
  WavWriter() = default;
  ~WavWriter();
  WavWriter(const WavWriter&) = delete;
  WavWriter& operator=(const WavWriter&) = delete;

  core::Status open(const std::string& path);
  // Per frame: false once a write has failed (close() then says why).
  bool write(std::span<const float> samples);
  bool write(std::span<const int16_t> samples);
  // Patches the sizes and closes the file; the first failure since open(), if any.
  core::Status close();

  bool is_open() const { return file_ != nullptr; }
  uint64_t samples_written() const { return samples_; }

 private:
  bool fail(const char* what);

  std::FILE* file_ = nullptr;
  uint64_t samples_ = 0;
  std::string path_;
  core::Status failure_;  // the first failure since open()
};

class WavReader {
 public:
  WavReader() = default;
  ~WavReader();
  WavReader(const WavReader&) = delete;
  WavReader& operator=(const WavReader&) = delete;

  core::Status open(const std::string& path);
  void close();
  // Fills `out` with the next samples (48 kHz mono); returns how many were written, fewer
  // than out.size() only at the end of the file.
  size_t read(std::span<float> out);
  // Back to the first sample (for looping a file source).
  bool rewind();

  bool is_open() const { return file_ != nullptr; }
  int source_rate() const { return rate_; }
  int source_channels() const { return channels_; }
  uint64_t source_frames() const { return data_bytes_ / (2u * uint64_t(channels_)); }

 private:
  static constexpr size_t kChunkFrames = 1024;
  bool fill_chunk();           // reads the next source frames into chunk_
  bool next_source(float& s);  // one mono source sample

  std::FILE* file_ = nullptr;
  int rate_ = 0;
  int channels_ = 0;
  long data_offset_ = 0;
  uint64_t data_bytes_ = 0;  // bytes of sample data (whole frames)
  uint64_t data_read_ = 0;
  std::array<uint8_t, kChunkFrames * 4> chunk_{};  // raw little-endian frames
  size_t chunk_frames_ = 0, chunk_pos_ = 0;
  // Linear interpolation between source samples s0_ (at pos 0) and s1_ (at pos 1).
  double step_ = 1.0, pos_ = 0.0;
  float s0_ = 0.0f, s1_ = 0.0f;
  bool primed_ = false, ended_ = false;
};

}  // namespace ttycall::media::audio
