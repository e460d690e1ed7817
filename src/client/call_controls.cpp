#include "client/call_controls.h"

namespace ttycall::client {

CallAction action_for_key(uint8_t key) {
  switch (key) {
    case 'q':
    case 'Q':
    case 3:  // Ctrl-C
    case 4:  // Ctrl-D
      return CallAction::kLeave;
    case 'm':
    case 'M':
      return CallAction::kToggleMute;
    case 'v':
    case 'V':
      return CallAction::kToggleCamera;
    case 'r':
    case 'R':
      return CallAction::kNextRender;
    case 'c':
    case 'C':
      return CallAction::kNextColor;
    case 's':
    case 'S':
      return CallAction::kToggleStats;
    case 'f':
    case 'F':
      return CallAction::kCycleFocus;
    case 'g':
    case 'G':
      return CallAction::kCycleGallery;
    default:
      return CallAction::kNone;
  }
}

uint8_t next_gallery(uint8_t gallery) {
  for (const uint8_t size : kGallerySizes) {
    if (size > gallery) return size;
  }
  return 0;
}

CallEffects CallControls::apply(CallAction action, const net::Participants& list, uint32_t my_id) {
  CallEffects effects;
  switch (action) {
    case CallAction::kNone:
      break;
    case CallAction::kLeave:
      effects.leave = true;
      break;
    case CallAction::kToggleMute:
      effects.toggle_mute = effects.redraw_chrome = true;
      break;
    case CallAction::kToggleCamera:
      choices_.video_off = !choices_.video_off;
      effects.send_media_state = effects.redraw_chrome = true;
      break;
    case CallAction::kNextRender:
      choices_.render = media::RenderMode((uint8_t(choices_.render) + 1) % media::kRenderModeCount);
      effects.redraw_picture = true;
      break;
    case CallAction::kNextColor:
      choices_.color = media::ColorMode((uint8_t(choices_.color) + 1) % media::kColorModeCount);
      effects.redraw_picture = effects.redraw_chrome = true;
      break;
    case CallAction::kToggleStats:
      choices_.show_stats = !choices_.show_stats;
      effects.uncover_picture = !choices_.show_stats;
      effects.redraw_chrome = true;
      break;
    case CallAction::kCycleFocus:
      cycle_focus(list, my_id);
      effects.send_view = effects.redraw_chrome = true;
      break;
    case CallAction::kCycleGallery:
      choices_.gallery = next_gallery(choices_.gallery);
      effects.send_view = effects.redraw_chrome = true;
      break;
  }
  return effects;
}

void CallControls::cycle_focus(const net::Participants& list, uint32_t my_id) {
  if (choices_.layout == net::ViewLayout::kGrid) {
    choices_.layout = net::ViewLayout::kFocus;
    choices_.pinned_id = 0;
    return;
  }
  int next = 0;  // the list index after the pinned one
  if (choices_.pinned_id != 0) {
    next = list.count;
    for (int i = 0; i < list.count; ++i) {
      if (list.list[i].id == choices_.pinned_id) next = i + 1;
    }
  }
  if (next < list.count && list.list[next].id == my_id) ++next;  // not ourselves
  if (next < list.count) {
    choices_.pinned_id = list.list[next].id;
  } else {
    choices_.layout = net::ViewLayout::kGrid;
    choices_.pinned_id = 0;
  }
}

bool CallControls::pin_by_name(std::string_view name, const net::Participants& list) {
  for (int i = 0; i < list.count; ++i) {
    if (list.list[i].name.view() == name) {
      choices_.layout = net::ViewLayout::kFocus;
      choices_.pinned_id = list.list[i].id;
      return true;
    }
  }
  return false;
}

}  // namespace ttycall::client
