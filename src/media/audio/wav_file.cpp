#include "media/audio/wav_file.h"

#include <algorithm>
#include <cerrno>
#include <cstring>

namespace ttycall::media::audio {
namespace {

constexpr uint16_t kFormatPcm = 1;
constexpr uint16_t kFormatExtensible = 0xFFFE;
constexpr int kMinRate = 8000;
constexpr int kMaxRate = 192000;
constexpr uint32_t kMaxDataBytes = 0xFFFFFFFFu - 36u;
constexpr const char* kConvertHint =
    "ttycall reads 16-bit PCM WAV, mono or stereo, 8-192 kHz (convert with: "
    "ffmpeg -i IN -ac 1 -ar 48000 -c:a pcm_s16le OUT.wav)";

void put_u16(uint8_t* p, uint16_t v) {
  p[0] = uint8_t(v);
  p[1] = uint8_t(v >> 8);
}
void put_u32(uint8_t* p, uint32_t v) {
  for (int i = 0; i < 4; ++i) p[i] = uint8_t(v >> (8 * i));
}
uint16_t get_u16(const uint8_t* p) {
  return uint16_t(p[0] | (p[1] << 8));
}
uint32_t get_u32(const uint8_t* p) {
  return uint32_t(p[0]) | (uint32_t(p[1]) << 8) | (uint32_t(p[2]) << 16) | (uint32_t(p[3]) << 24);
}
int16_t get_i16(const uint8_t* p) {
  return int16_t(get_u16(p));
}

}  // namespace

// ---- writer -----------------------------------------------------------------------------

WavWriter::~WavWriter() {
  static_cast<void>(close());  // a destructor has no one to tell
}

bool WavWriter::fail(const char* what) {
  if (failure_.is_ok()) {
    failure_ = core::Status::failed(path_ + ": " + what + ": " + std::strerror(errno));
  }
  return false;
}

core::Status WavWriter::open(const std::string& path) {
  static_cast<void>(close());  // a previous file's failure is not this one's
  path_ = path;
  failure_ = core::Status::ok();
  samples_ = 0;
  file_ = std::fopen(path.c_str(), "wb");
  if (file_ == nullptr) {
    fail("cannot create");
    return failure_;
  }
  uint8_t header[44] = {};
  std::memcpy(header, "RIFF", 4);
  put_u32(header + 4, 36);  // patched by close()
  std::memcpy(header + 8, "WAVEfmt ", 8);
  put_u32(header + 16, 16);
  put_u16(header + 20, kFormatPcm);
  put_u16(header + 22, 1);  // mono
  put_u32(header + 24, kSampleRate);
  put_u32(header + 28, kSampleRate * 2);  // byte rate
  put_u16(header + 32, 2);                // block align
  put_u16(header + 34, 16);               // bits per sample
  std::memcpy(header + 36, "data", 4);
  put_u32(header + 40, 0);  // patched by close()
  if (std::fwrite(header, 1, sizeof header, file_) != sizeof header) fail("write");
  return failure_;
}

bool WavWriter::write(std::span<const float> samples) {
  if (file_ == nullptr) return false;
  std::array<uint8_t, 1024> bytes;
  while (!samples.empty()) {
    const size_t n = std::min(samples.size(), bytes.size() / 2);
    for (size_t i = 0; i < n; ++i) put_u16(bytes.data() + 2 * i, uint16_t(to_int16(samples[i])));
    if (std::fwrite(bytes.data(), 2, n, file_) != n) return fail("write");
    samples_ += n;
    samples = samples.subspan(n);
  }
  return failure_.is_ok();
}

bool WavWriter::write(std::span<const int16_t> samples) {
  if (file_ == nullptr) return false;
  std::array<uint8_t, 1024> bytes;
  while (!samples.empty()) {
    const size_t n = std::min(samples.size(), bytes.size() / 2);
    for (size_t i = 0; i < n; ++i) put_u16(bytes.data() + 2 * i, uint16_t(samples[i]));
    if (std::fwrite(bytes.data(), 2, n, file_) != n) return fail("write");
    samples_ += n;
    samples = samples.subspan(n);
  }
  return failure_.is_ok();
}

core::Status WavWriter::close() {
  if (file_ == nullptr) return failure_;
  const uint32_t data = uint32_t(std::min<uint64_t>(samples_ * 2, kMaxDataBytes));
  uint8_t size[4];
  put_u32(size, 36 + data);
  if (std::fseek(file_, 4, SEEK_SET) != 0 || std::fwrite(size, 1, 4, file_) != 4) fail("write");
  put_u32(size, data);
  if (std::fseek(file_, 40, SEEK_SET) != 0 || std::fwrite(size, 1, 4, file_) != 4) fail("write");
  if (std::fclose(file_) != 0) fail("close");
  file_ = nullptr;
  return failure_;
}

// ---- reader -----------------------------------------------------------------------------

WavReader::~WavReader() {
  close();
}

void WavReader::close() {
  if (file_ != nullptr) std::fclose(file_);
  file_ = nullptr;
}

core::Status WavReader::open(const std::string& path) {
  close();
  auto refuse = [&](const std::string& why) {
    close();
    return core::Status::invalid_input(path + ": " + why);
  };
  file_ = std::fopen(path.c_str(), "rb");
  if (file_ == nullptr) return refuse(std::string("cannot open: ") + std::strerror(errno));

  uint8_t riff[12];
  if (std::fread(riff, 1, 12, file_) != 12 || std::memcmp(riff, "RIFF", 4) != 0 ||
      std::memcmp(riff + 8, "WAVE", 4) != 0) {
    return refuse(std::string("not a WAV file (no RIFF/WAVE header); ") + kConvertHint);
  }

  bool have_format = false;
  uint16_t format = 0, channels = 0, bits = 0;
  uint32_t rate = 0;
  for (;;) {
    uint8_t chunk[8];
    if (std::fread(chunk, 1, 8, file_) != 8) {
      return refuse(have_format ? "no data chunk" : "no fmt chunk");
    }
    const uint32_t size = get_u32(chunk + 4);
    if (std::memcmp(chunk, "fmt ", 4) == 0) {
      uint8_t fmt[40] = {};
      const size_t n = std::min<size_t>(size, sizeof fmt);
      if (size < 16 || std::fread(fmt, 1, n, file_) != n) return refuse("truncated fmt chunk");
      format = get_u16(fmt);
      channels = get_u16(fmt + 2);
      rate = get_u32(fmt + 4);
      bits = get_u16(fmt + 14);
      if (format == kFormatExtensible && n >= 26) format = get_u16(fmt + 24);  // sub-format
      have_format = true;
      const long skip = long(size - n) + long(size & 1);
      if (skip > 0 && std::fseek(file_, skip, SEEK_CUR) != 0) return refuse("truncated file");
    } else if (std::memcmp(chunk, "data", 4) == 0) {
      if (!have_format) return refuse("data chunk before the fmt chunk");
      data_offset_ = std::ftell(file_);
      data_bytes_ = size;
      // Streamed files may leave the size 0 or 0xFFFFFFFF: then the data runs to the end.
      if (std::fseek(file_, 0, SEEK_END) == 0) {
        const long end = std::ftell(file_);
        const uint64_t available = end > data_offset_ ? uint64_t(end - data_offset_) : 0;
        if (data_bytes_ == 0 || data_bytes_ > available) data_bytes_ = available;
      }
      break;
    } else {
      if (std::fseek(file_, long(size) + long(size & 1), SEEK_CUR) != 0) {
        return refuse("truncated file");
      }
    }
  }

  char what[160];
  if (format != kFormatPcm || bits != 16) {
    std::snprintf(what, sizeof what, "%u-bit %s WAV is not supported; ", unsigned(bits),
                  format == 3            ? "float"
                  : format == kFormatPcm ? "PCM"
                                         : "compressed");
    return refuse(what + std::string(kConvertHint));
  }
  if (channels != 1 && channels != 2) {
    std::snprintf(what, sizeof what, "%u channels are not supported; ", unsigned(channels));
    return refuse(what + std::string(kConvertHint));
  }
  if (rate < uint32_t(kMinRate) || rate > uint32_t(kMaxRate)) {
    std::snprintf(what, sizeof what, "sample rate %u Hz is not supported; ", unsigned(rate));
    return refuse(what + std::string(kConvertHint));
  }
  channels_ = channels;
  rate_ = int(rate);
  data_bytes_ -= data_bytes_ % (2u * channels_);
  step_ = double(rate_) / double(kSampleRate);
  if (!rewind()) return refuse("cannot seek to its samples");
  return core::Status::ok();
}

bool WavReader::rewind() {
  if (file_ == nullptr || std::fseek(file_, data_offset_, SEEK_SET) != 0) return false;
  data_read_ = 0;
  chunk_frames_ = chunk_pos_ = 0;
  pos_ = 0.0;
  s0_ = s1_ = 0.0f;
  primed_ = ended_ = false;
  return true;
}

bool WavReader::fill_chunk() {
  const size_t frame_bytes = 2u * size_t(channels_);
  const uint64_t left = (data_bytes_ - data_read_) / frame_bytes;
  const size_t want = size_t(std::min<uint64_t>(left, kChunkFrames));
  if (want == 0) return false;
  const size_t got = std::fread(chunk_.data(), frame_bytes, want, file_);
  data_read_ += got * frame_bytes;
  if (got < want) data_read_ = data_bytes_;  // truncated file: stop after what was read
  chunk_frames_ = got;
  chunk_pos_ = 0;
  return got > 0;
}

bool WavReader::next_source(float& s) {
  if (chunk_pos_ == chunk_frames_ && !fill_chunk()) return false;
  const uint8_t* p = chunk_.data() + chunk_pos_ * 2u * size_t(channels_);
  ++chunk_pos_;
  if (channels_ == 1) {
    s = from_int16(get_i16(p));
  } else {
    s = 0.5f * (from_int16(get_i16(p)) + from_int16(get_i16(p + 2)));
  }
  return true;
}

size_t WavReader::read(std::span<float> out) {
  if (file_ == nullptr) return 0;
  size_t written = 0;
  if (rate_ == kSampleRate) {
    while (written < out.size() && next_source(out[written])) ++written;
    return written;
  }
  if (!primed_) {
    if (!next_source(s0_)) return 0;
    if (!next_source(s1_)) s1_ = s0_;
    primed_ = true;
  }
  while (written < out.size() && !ended_) {
    while (pos_ >= 1.0) {
      s0_ = s1_;
      if (!next_source(s1_)) {
        ended_ = true;
        break;
      }
      pos_ -= 1.0;
    }
    if (ended_) break;
    out[written++] = s0_ + (s1_ - s0_) * float(pos_);
    pos_ += step_;
  }
  return written;
}

}  // namespace ttycall::media::audio
