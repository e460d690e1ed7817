#pragma once
// The default microphone and speaker, through PortAudio: 48 kHz mono float samples.
// PortAudio's real-time callback only copies samples into or out of a SampleRing; the
// client's 20 ms timer takes and gives whole frames, so nothing in the audio thread
// allocates or blocks.
#include <memory>
#include <span>
#include <string>

#include "client/sample_ring.h"
#include "core/status.h"

namespace ttycall::client {

class AudioDevice {
 public:
  // A failure says why it could not be opened (no device, busy, ...).
  static core::Result<std::unique_ptr<AudioDevice>> open(bool capture, bool playback);
  AudioDevice();  // closed: use open()
  ~AudioDevice();
  AudioDevice(const AudioDevice&) = delete;
  AudioDevice& operator=(const AudioDevice&) = delete;

  // Fills `frame` with microphone samples if a whole frame has arrived.
  bool read_frame(std::span<float> frame);
  // Queues a frame for the speaker (dropped if the device has fallen far behind).
  void write_frame(std::span<const float> frame);

 private:
  static int on_audio(const void* input, void* output, unsigned long frames, const void* time,
                      unsigned long flags, void* self);

  void* stream_ = nullptr;
  bool initialized_ = false;
  SampleRing captured_;
  SampleRing to_play_;
};

}  // namespace ttycall::client
