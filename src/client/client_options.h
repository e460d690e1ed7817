#pragma once
// Everything `ttycall client` can be told.
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "client/encoded_frames.h"
#include "media/render_options.h"

namespace ttycall::client {

struct ClientOptions {
  std::string host = "127.0.0.1";
  uint16_t port = 27224;
  std::string room;  // empty = the server's default room
  std::string name;  // empty = $USER, or "guest"
  std::string video = "test:moving";
  // With a camera: its frames come already encoded from here (shared by the load
  // generator's clients, each from frame `seed` on) instead of captured and encoded.
  std::shared_ptr<EncodedFrames> encoded_frames;
  std::optional<bool> flip;  // mirror the picture; default: on for cameras, off for files
  bool loop = false;         // a --video/--audio file starts again at its end
  std::string audio_in;      // none | device | sine:HZ | file:PATH | URL; empty = a --video
                             // file's own sound if it has one, else device (none when headless)
  std::string audio_out;     // device | null | file:PATH.wav; empty = device, or null when headless
  // Security (see net/key_exchange.h).
  bool insecure = false;                 // no encryption (the server must say --insecure too)
  bool insecure_even_if_pinned = false;  // --insecure to an address pinned in known_hosts
  std::string password;                  // sent only as a proof inside the encrypted channel
  std::string room_password;             // the room's, proven the same way (in the sealed Hello)
  std::string identity_file;             // the client's key; empty = config_dir()/client_key
  std::string known_hosts_file;          // pinned server keys; empty = config_dir()/known_hosts
  std::string server_key;                // non-empty: accept exactly this server key, pin nothing
  bool ephemeral_identity = false;       // a throwaway key (synthetic participants, load tests)
  bool muted = false;
  bool camera_off = false;  // join with the camera switched off (v switches it on)
  // The most this client captures and encodes, whatever the server asks for.
  int max_camera_width = 640;
  int max_camera_height = 480;
  int max_camera_fps = 30;
  bool focus = false;  // start in the focus layout (f changes it)
  std::string pin;     // in the focus layout, show this participant large (by name)
  bool echo_cancel = true;
  media::RenderMode render = media::RenderMode::kHalf;
  media::ColorMode color = media::ColorMode::kTrueColor;
  bool detect_color = false;  // pick `color` from the terminal (COLORTERM, TERM) at start
  int cols = 0;               // 0 = the terminal's size, followed on SIGWINCH
  int rows = 0;
  double duration = 0;  // seconds; 0 = until quit
  bool headless = false;
  // Headless: check and count the frames and the voice, but decode and render neither.
  bool receive_only = false;
  std::string save_last_frame;
  std::string stats_json;
  uint32_t seed = 0;                 // varies test:moving between participants
  double first_connect_timeout = 5;  // seconds of retrying before "unreachable"
  double reconnect_timeout = 60;     // seconds of retrying after a lost connection
  bool handle_signals = true;        // SIGINT/SIGTERM/SIGHUP quit, SIGWINCH resizes
  bool quiet = false;                // no messages on stderr (synthetic participants)
  // Chat.
  std::string chat_log;          // append every message seen to this file
  std::vector<std::string> say;  // messages sent once joined (tests, scripts)
};

}  // namespace ttycall::client
