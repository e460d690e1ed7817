#pragma once
// What the keys in a call do, without a terminal or a socket: a key becomes an action, an
// action changes the viewer's choices (camera, stats box, render and colour modes, layout
// and pin) and says what the client must then tell the server or redraw. The render and
// colour modes are the client's alone: they redraw the last picture at once, with no
// round trip. The focus key
// cycles grid -> focus on whoever speaks -> each other participant pinned -> grid.
#include <cstdint>
#include <string_view>

#include "media/render_options.h"
#include "net/protocol.h"

namespace ttycall::client {

enum class CallAction : uint8_t {
  kNone,
  kLeave,         // q, Ctrl-C, Ctrl-D
  kToggleMute,    // m
  kToggleCamera,  // v
  kNextRender,    // r
  kNextColor,     // c
  kToggleStats,   // s
  kCycleFocus,    // f
  kCycleGallery,  // g
};
CallAction action_for_key(uint8_t key);

// The viewer's choices in a call.
struct CallChoices {
  bool video_off = false;
  bool show_stats = false;
  media::RenderMode render = media::RenderMode::kHalf;
  media::ColorMode color = media::ColorMode::kTrueColor;
  net::ViewLayout layout = net::ViewLayout::kGrid;
  uint32_t pinned_id = 0;  // with kFocus: the large tile; 0 = whoever speaks
  uint8_t gallery = 0;     // most tiles to show; 0 = the server's --gallery
};
// The gallery sizes the g key steps through, then back to the server's own (0).
constexpr uint8_t kGallerySizes[] = {4, 9, 16, 25, 36, 64};
uint8_t next_gallery(uint8_t gallery);

// What an action asks of the client after changing the choices.
struct CallEffects {
  bool leave = false;
  bool toggle_mute = false;       // the microphone is the voice's business
  bool send_view = false;         // Resize: size, layout, pin, gallery
  bool redraw_picture = false;    // the last picture again, in the new modes
  bool uncover_picture = false;   // the stats box went away: every cell of the picture again
  bool send_media_state = false;  // MediaState: camera on or off
  bool redraw_chrome = false;     // the status line and stats box
};

class CallControls {
 public:
  explicit CallControls(CallChoices initial = {}) : choices_(initial) {}

  const CallChoices& choices() const { return choices_; }
  CallEffects apply(CallAction action, const net::Participants& list, uint32_t my_id);
  // Pins the participant called `name` once they appear in the list (--pin NAME); true
  // when it did (then send the view).
  bool pin_by_name(std::string_view name, const net::Participants& list);

 private:
  void cycle_focus(const net::Participants& list, uint32_t my_id);

  CallChoices choices_;
};

}  // namespace ttycall::client
