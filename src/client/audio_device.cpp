#include "client/audio_device.h"

#include <portaudio.h>

#include <algorithm>

namespace ttycall::client {
namespace {
constexpr double kSampleRate = 48000;
constexpr unsigned long kFramesPerBuffer = 480;  // 10 ms callbacks
constexpr size_t kRingSamples = 48000 / 5;       // 200 ms either way
}  // namespace

AudioDevice::AudioDevice() : captured_(kRingSamples), to_play_(kRingSamples) {}

core::Result<std::unique_ptr<AudioDevice>> AudioDevice::open(bool capture, bool playback) {
  auto device = std::make_unique<AudioDevice>();
  PaError err = Pa_Initialize();
  if (err != paNoError) {
    return core::Status::failed(std::string("cannot start the audio system: ") +
                                Pa_GetErrorText(err));
  }
  device->initialized_ = true;
  const PaDeviceIndex in = capture ? Pa_GetDefaultInputDevice() : paNoDevice;
  const PaDeviceIndex out = playback ? Pa_GetDefaultOutputDevice() : paNoDevice;
  if (capture && in == paNoDevice) {
    return core::Status::failed(
        "no microphone found (use --audio sine:440 or file:PATH.wav to test)");
  }
  if (playback && out == paNoDevice) {
    return core::Status::failed("no speaker found (use --audio-out null or file:PATH.wav)");
  }
  PaStreamParameters in_params{in, 1, paFloat32,
                               in != paNoDevice ? Pa_GetDeviceInfo(in)->defaultLowInputLatency : 0,
                               nullptr};
  PaStreamParameters out_params{
      out, 1, paFloat32, out != paNoDevice ? Pa_GetDeviceInfo(out)->defaultLowOutputLatency : 0,
      nullptr};
  PaStream* stream = nullptr;
  err = Pa_OpenStream(&stream, capture ? &in_params : nullptr, playback ? &out_params : nullptr,
                      kSampleRate, kFramesPerBuffer, paClipOff,
                      reinterpret_cast<PaStreamCallback*>(&AudioDevice::on_audio), device.get());
  if (err != paNoError) {
    return core::Status::failed(
        std::string("cannot open the audio device: ") + Pa_GetErrorText(err) +
        (err == paDeviceUnavailable ? " (is another program using it?)" : ""));
  }
  device->stream_ = stream;
  err = Pa_StartStream(stream);
  if (err != paNoError) {
    return core::Status::failed(std::string("cannot start the audio device: ") +
                                Pa_GetErrorText(err));
  }
  return device;
}

AudioDevice::~AudioDevice() {
  if (stream_ != nullptr) {
    Pa_StopStream(static_cast<PaStream*>(stream_));
    Pa_CloseStream(static_cast<PaStream*>(stream_));
  }
  if (initialized_) Pa_Terminate();
}

int AudioDevice::on_audio(const void* input, void* output, unsigned long frames, const void*,
                          unsigned long, void* self_pointer) {
  auto* self = static_cast<AudioDevice*>(self_pointer);
  if (input != nullptr) {
    self->captured_.push({static_cast<const float*>(input), frames});
  }
  if (output != nullptr) {
    auto* out = static_cast<float*>(output);
    const size_t got = self->to_play_.pop({out, frames});
    std::fill(out + got, out + frames, 0.0f);  // underrun: silence, never stale samples
  }
  return paContinue;
}

bool AudioDevice::read_frame(std::span<float> frame) {
  if (captured_.available() < frame.size()) return false;
  return captured_.pop(frame) == frame.size();
}

void AudioDevice::write_frame(std::span<const float> frame) {
  to_play_.push(frame);
}

}  // namespace ttycall::client
