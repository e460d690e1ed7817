#include "client/voice.h"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <nlohmann/json.hpp>
#include <vector>

#include "client/media_player.h"
#include "core/clock.h"

namespace ttycall::client {

namespace audio = media::audio;

core::Result<std::unique_ptr<Voice>> Voice::open(const VoiceOptions& options) {
  auto voice = std::make_unique<Voice>();
  voice->muted_ = options.muted;
  voice->decode_received_ = options.decode_received;
  const std::string& in = options.input;
  const std::string& out = options.output;

  if (options.feed) {
    voice->input_kind_ = Input::kFile;
    voice->feed_ = options.feed;
  } else if (in == "none") {
    voice->input_kind_ = Input::kNone;
  } else if (in == "device") {
    voice->input_kind_ = Input::kDevice;
  } else if (in.starts_with("sine:")) {
    double hz = 0;
    const char* first = in.data() + 5;
    const char* last = in.data() + in.size();
    const auto [end, ec] = std::from_chars(first, last, hz);
    if (ec != std::errc() || end != last || !(hz > 0 && hz < audio::kSampleRate / 2)) {
      return core::Status::invalid_input(
          "sine needs a frequency in Hz below 24000, e.g. --audio sine:440");
    }
    voice->input_kind_ = Input::kSine;
    voice->sine_ = std::make_unique<audio::SineSource>(hz);
  } else if (in.starts_with("file:") || in.find("://") != std::string::npos) {
    const std::string url = in.starts_with("file:") ? in.substr(5) : in;
    core::Result<std::shared_ptr<MediaPlayer>> player =
        MediaPlayer::open(url, {.video = false, .audio = true, .loop = options.loop});
    if (!player.is_ok()) return player.status();
    voice->input_kind_ = Input::kFile;
    voice->feed_ = std::move(*player);
  } else {
    return core::Status::invalid_input("unknown audio input '" + in +
                                       "' (expected none, device, sine:HZ, file:PATH or a URL)");
  }

  if (out == "null") {
    voice->output_kind_ = Output::kNull;
  } else if (out == "device") {
    voice->output_kind_ = Output::kDevice;
  } else if (out.starts_with("file:")) {
    if (const core::Status opened = voice->wav_out_.open(out.substr(5)); !opened.is_ok()) {
      return core::Status::failed("cannot record to " + out.substr(5) + ": " + opened.message());
    }
    voice->output_kind_ = Output::kFile;
  } else {
    return core::Status::invalid_input("unknown audio output '" + out +
                                       "' (expected device, null or file:PATH.wav)");
  }

  const bool capture = voice->input_kind_ == Input::kDevice;
  const bool playback = voice->output_kind_ == Output::kDevice;
  if (capture || playback) {
    core::Result<std::unique_ptr<AudioDevice>> device = AudioDevice::open(capture, playback);
    if (!device.is_ok()) return device.status();
    voice->device_ = std::move(*device);
    if (capture && playback && options.echo_cancel) {
      voice->echo_ = std::make_unique<EchoCanceller>();
    }
  }
  return voice;
}

Voice::~Voice() {
  close();
}

void Voice::close() {
  // Best effort: the call is ending, and a recording that failed has no one to tell.
  if (wav_out_.is_open()) static_cast<void>(wav_out_.close());
}

bool Voice::next_frame() {
  switch (input_kind_) {
    case Input::kNone:
      return false;
    case Input::kSine:
      sine_->fill(mic_);
      return true;
    case Input::kFile: {
      if (feed_done_) return true;  // the file has ended: silent frames
      // A frame goes out once it is whole; a decoder that is behind makes us wait a tick.
      feed_filled_ += feed_->read(std::span<float>(mic_).subspan(feed_filled_));
      if (feed_filled_ < mic_.size()) {
        if (!feed_->ended()) return false;
        std::fill(mic_.begin() + long(feed_filled_), mic_.end(), 0.0f);
        feed_done_ = true;
      }
      feed_filled_ = 0;
      return true;
    }
    case Input::kDevice:
      if (!device_->read_frame(mic_)) return false;
      if (echo_) echo_->process(mic_);
      return true;
  }
  return false;
}

size_t Voice::build_packet() {
  const bool silent = muted_ || (input_kind_ == Input::kFile && feed_done_);
  if (silent) {
    // Muted: a tiny packet now and then tells the server (and so everyone) we are muted.
    if (silent_frames_++ % 10 != 0) return 0;
    std::fill(mic_.begin(), mic_.end(), 0.0f);
  }
  net::AudioUpHeader header{seq_++, core::wall_clock_us(), uint8_t(silent ? net::kAudioSilent : 0)};
  const size_t fixed = net::kHeaderSize + net::kAudioUpHeaderSize;
  const size_t opus = encoder_.encode(mic_, {packet_.data() + fixed, packet_.size() - fixed});
  if (opus == 0) return 0;
  net::encode(header, {packet_.data() + net::kHeaderSize, net::kAudioUpHeaderSize});
  const size_t payload = net::kAudioUpHeaderSize + opus;
  net::write_header(net::MsgType::kAudioUp, {packet_.data() + net::kHeaderSize, payload},
                    std::span<uint8_t, net::kHeaderSize>(packet_.data(), net::kHeaderSize));
  ++packets_sent_;
  return net::kHeaderSize + payload;
}

namespace {
uint64_t steady_us() {
  return uint64_t(std::chrono::duration_cast<std::chrono::microseconds>(
                      core::SteadyClock::now().time_since_epoch())
                      .count());
}
}  // namespace

void Voice::receive(const net::AudioDownHeader& header, std::span<const uint8_t> opus) {
  ++packets_received_;
  jitter_.push(header.seq, header.capture_us, opus, steady_us());
}

void Voice::play() {
  const audio::JitterBuffer::Pull pull = jitter_.pull(steady_us());
  switch (decode_received_ ? pull.action : audio::JitterBuffer::Action::kNone) {
    case audio::JitterBuffer::Action::kNone:
      std::fill(speaker_.begin(), speaker_.end(), 0.0f);
      break;
    case audio::JitterBuffer::Action::kDecode:
      decoder_.decode(pull.packet, speaker_);
      break;
    case audio::JitterBuffer::Action::kDecodeFec:
      decoder_.decode_fec(pull.packet, speaker_);
      break;
    case audio::JitterBuffer::Action::kConceal:
      decoder_.conceal(speaker_);
      break;
  }
  const uint64_t now = core::wall_clock_us();
  if (pull.capture_us > 0 && pull.capture_us <= now) {
    mouth_to_ear_ms_[delay_count_ % kDelaySamples] = float(now - pull.capture_us) / 1000.0f;
    ++delay_count_;
  }
  switch (output_kind_) {
    case Output::kNull:
      break;
    case Output::kFile:
      wav_out_.write(std::span<const float>(speaker_));
      break;
    case Output::kDevice:
      device_->write_frame(speaker_);
      if (echo_) echo_->played(speaker_);
      break;
  }
}

void Voice::write_stats(nlohmann::json& out) const {
  const audio::JitterStats& j = jitter_.stats();
  const size_t n = std::min<uint64_t>(delay_count_, kDelaySamples);
  std::vector<float> sorted(mouth_to_ear_ms_.begin(), mouth_to_ear_ms_.begin() + long(n));
  std::sort(sorted.begin(), sorted.end());
  const auto pct = [&](double p) {
    return n == 0 ? 0.0 : double(sorted[std::min(n - 1, size_t(p / 100.0 * double(n)))]);
  };
  out = {{"packets_sent", packets_sent_},
         {"packets_received", packets_received_},
         {"lost", j.lost},
         {"concealed", j.concealed},
         {"late", j.late},
         {"jitter_delay_ms", jitter_.delay_ms()},
         {"target_delay_ms", jitter_.target_delay_ms()},
         {"mouth_to_ear_ms", {{"p50", pct(50)}, {"p95", pct(95)}}},
         {"muted", muted_}};
}

}  // namespace ttycall::client
