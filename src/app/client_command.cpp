#include <memory>

#include "app/commands.h"
#include "client/client.h"
#include "client/mirror.h"
#include "client/server_trust.h"
#include "client/terminal.h"
#include "core/console.h"

namespace ttycall::app {
namespace {

constexpr const char* kVideoHelp =
    "Camera: device (the first camera), v4l2:/dev/videoN, file:PATH (mp4, mkv, webm, gif...), "
    "a URL (http(s)://, rtsp://...), test:bars, test:moving, test:solid:RRGGBB or none";

}  // namespace

Command add_client_command(CLI::App& app) {
  auto* cmd = app.add_subcommand(
      "client", "Join a call: send your camera and microphone, see and hear everyone else");
  cmd->footer(
      "Examples:\n"
      "  ttycall client call.example.org --name Ada\n"
      "  ttycall client call.example.org:9000/standup --room-password s3cret\n"
      "  ttycall client --host 10.0.0.5 --muted --color 256\n"
      "\n"
      "Keys: q quit, m mute, v camera on/off, r render mode, c colours, s stats, f focus,\n"
      "t or Enter chat (Enter sends, Escape cancels), p chat panel.");
  auto o = std::make_shared<client::ClientOptions>();
  auto address = std::make_shared<std::string>();
  add_address_options(*cmd, *o, *address, /*with_room=*/true);
  cmd->add_option("--name", o->name, "Your name as others see it (default: $USER)");
  cmd->add_option("--video", o->video, kVideoHelp)->capture_default_str();
  add_video_options(*cmd, o->flip, o->loop);
  cmd->add_option("--audio", o->audio_in,
                  "Microphone: device, none, sine:HZ, file:PATH (any audio FFmpeg decodes) or a "
                  "URL. Default: the --video file's own sound if it has one, else device (none "
                  "when headless)");
  cmd->add_option("--audio-out", o->audio_out,
                  "Speaker: device, null or file:PATH.wav (default: device; null when headless)");
  cmd->add_flag("--muted", o->muted, "Join muted (press m to unmute)");
  cmd->add_flag("--camera-off", o->camera_off,
                "Join with the camera off: the others see your name (press v to switch it on)");
  add_size_option(*cmd, o->max_camera_width, o->max_camera_height,
                  "The largest camera frame you send, WIDTHxHEIGHT, whatever the server asks "
                  "(default 640x480)",
                  "--max-camera", net::kMaxVideoWidth, net::kMaxVideoHeight);
  cmd->add_option("--max-camera-fps", o->max_camera_fps,
                  "The most camera frames a second you send, whatever the server asks")
      ->check(CLI::Range(1, 120))
      ->capture_default_str();
  cmd->add_flag("--focus", o->focus,
                "Start in the focus layout: whoever speaks is shown large (press f to change)");
  cmd->add_option("--pin", o->pin,
                  "In the focus layout, show this participant large, by name (implies --focus)");
  auto password_file = std::make_shared<std::string>();
  auto* security = add_connect_security_options(
      *cmd, *o, *password_file, "Calls are encrypted; the server's key is pinned on first connect");
  security->add_option("--room-password", o->room_password,
                       "The room's password, if it has one (it never crosses the network)");
  cmd->add_flag("!--no-echo-cancel", o->echo_cancel,
                "Turn off echo cancellation (on with a device microphone and speaker)");
  add_render_options(*cmd, o->render, o->color, &o->detect_color);
  add_size_option(*cmd, o->cols, o->rows,
                  "View size COLSxROWS (default: the terminal's, following resizes)");
  cmd->add_option("--duration", o->duration, "Leave after SEC seconds")
      ->check(CLI::Range(0.0, 1e9));
  cmd->add_flag("--headless", o->headless, "Draw nothing (tests, load generation)");
  cmd->add_option("--save-last-frame", o->save_last_frame,
                  "At exit, write the last frame exactly as the terminal got it to FILE")
      ->type_name("FILE");
  cmd->add_option("--stats-json", o->stats_json,
                  "At exit, write frames, bytes, fps and latency as JSON to FILE")
      ->type_name("FILE");
  cmd->add_option("--chat-log", o->chat_log,
                  "Append every chat message you see to FILE, one a line: time, sender, text")
      ->type_name("FILE");
  cmd->add_option("--say", o->say,
                  "Send TEXT to the room's chat once joined (repeatable, in order)")
      ->type_name("TEXT");
  cmd->add_option("--seed", o->seed, "Varies the test:moving pattern")->group("");
  return [o, password_file, address] {
    if (core::Status given = apply_connect_options(*address, *password_file, *o); !given.is_ok()) {
      core::write_stderr_whole("ttycall: " + given.message() + "\n");
      return given.exit_code();
    }
    if (core::Status confirmed = client::confirm_first_use_at_terminal(*o); !confirmed.is_ok()) {
      core::write_stderr_whole("ttycall: " + confirmed.message() + "\n");
      return confirmed.exit_code();
    }
    return client::run_call(*o);
  };
}

Command add_mirror_command(CLI::App& app) {
  auto* cmd = app.add_subcommand("mirror", "Show a video source as text art locally, no server");
  auto o = std::make_shared<client::MirrorOptions>();
  cmd->add_option("--video", o->video, kVideoHelp)->capture_default_str();
  add_video_options(*cmd, o->flip, o->loop);
  auto detect = std::make_shared<bool>(false);
  add_render_options(*cmd, o->render, o->color, detect.get());
  add_size_option(*cmd, o->cols, o->rows, "Size COLSxROWS (default: the terminal's)");
  cmd->add_option("--fps", o->fps, "Frames per second")->check(CLI::Range(1, 120));
  cmd->add_option("--duration", o->duration, "Stop after SEC seconds")->check(CLI::Range(0.0, 1e9));
  cmd->add_flag("--snapshot", o->snapshot, "Render one frame to stdout and exit");
  return [o, detect] {
    if (*detect) o->color = client::detect_color_mode();
    return client::run_mirror(*o);
  };
}

}  // namespace ttycall::app
