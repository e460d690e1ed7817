#pragma once
// Small media files made at test time with the FFmpeg libraries: a few seconds of a known
// moving picture with a tone, in the container the path's extension names (.mkv, .webm,
// .mp4, ...) and with the codecs asked for. Tests play them through a real call.
#include <cstdint>
#include <string>

namespace ttycall::itest {

struct TestMedia {
  std::string video_codec = "mpeg4";  // an FFmpeg encoder name: mpeg4, libvpx, mjpeg, ffv1...;
                                      // "" = no picture (a sound file)
  std::string audio_codec = "aac";    // aac, libopus, libvorbis, pcm_s16le...; "" = no sound
  int width = 160;
  int height = 96;
  int fps = 25;
  double seconds = 2;
  double tone_hz = 440;
  double amplitude = 0.25;  // peak of the tone, full scale = 1
};

// The picture of frame `index`: the left half red, the right half blue, and a small green
// square moving down the middle. `rgb` is width * height * 3 bytes.
void test_media_picture(const TestMedia& media, int index, uint8_t* rgb);

// Writes the file; returns "" on success, else what failed.
std::string write_test_media(const std::string& path, const TestMedia& media);

}  // namespace ttycall::itest
