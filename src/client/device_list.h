#pragma once
// `ttycall devices`: the cameras (V4L2) with their formats and sizes, and the microphones
// and speakers (PortAudio), as text for a person to read.
#include <string>

namespace ttycall::client {

std::string describe_devices();

}  // namespace ttycall::client
