// Specification of client::CallControls (src/client/call_controls.h): what each key in a
// call changes and what it asks the client to tell the server.
#include "client/call_controls.h"

#include <gtest/gtest.h>

#include <vector>

namespace ttycall::client {
namespace {

net::Participants three_people() {
  net::Participants list;
  list.count = 3;
  const char* names[] = {"me", "ada", "bob"};
  for (int i = 0; i < 3; ++i) {
    list.list[i].id = uint32_t(i + 1);
    list.list[i].name = net::Name::from(names[i]);
  }
  return list;
}

TEST(CallControls, KeysMapToActionsInEitherCase) {
  EXPECT_EQ(action_for_key('q'), CallAction::kLeave);
  EXPECT_EQ(action_for_key(3), CallAction::kLeave);
  EXPECT_EQ(action_for_key('M'), CallAction::kToggleMute);
  EXPECT_EQ(action_for_key('v'), CallAction::kToggleCamera);
  EXPECT_EQ(action_for_key('R'), CallAction::kNextRender);
  EXPECT_EQ(action_for_key('c'), CallAction::kNextColor);
  EXPECT_EQ(action_for_key('s'), CallAction::kToggleStats);
  EXPECT_EQ(action_for_key('F'), CallAction::kCycleFocus);
  EXPECT_EQ(action_for_key('g'), CallAction::kCycleGallery);
  EXPECT_EQ(action_for_key('x'), CallAction::kNone);
  EXPECT_EQ(action_for_key('\x1b'), CallAction::kNone);
}

TEST(CallControls, GalleryKeyStepsThroughTheSizesThenBackToTheServersOwn) {
  CallControls controls;
  std::vector<int> seen;
  for (int i = 0; i < 7; ++i) {
    const CallEffects e = controls.apply(CallAction::kCycleGallery, {}, 1);
    EXPECT_TRUE(e.send_view);
    seen.push_back(controls.choices().gallery);
  }
  EXPECT_EQ(seen, (std::vector<int>{4, 9, 16, 25, 36, 64, 0}));
}

TEST(CallControls, CameraKeyFlipsAndTellsTheServer) {
  CallControls controls;
  const CallEffects e = controls.apply(CallAction::kToggleCamera, {}, 1);
  EXPECT_TRUE(controls.choices().video_off);
  EXPECT_TRUE(e.send_media_state);
  EXPECT_FALSE(e.send_view);
  controls.apply(CallAction::kToggleCamera, {}, 1);
  EXPECT_FALSE(controls.choices().video_off);
}

// The modes are the client's own: a key redraws the last picture at once and tells the
// server nothing.
TEST(CallControls, RenderAndColourKeysCycleThroughEveryModeWithoutARoundTrip) {
  CallControls controls;
  const media::RenderMode first = controls.choices().render;
  for (int i = 0; i < media::kRenderModeCount; ++i) {
    const CallEffects effects = controls.apply(CallAction::kNextRender, {}, 1);
    EXPECT_TRUE(effects.redraw_picture);
    EXPECT_FALSE(effects.send_view);
  }
  EXPECT_EQ(controls.choices().render, first);
  const media::ColorMode color = controls.choices().color;
  controls.apply(CallAction::kNextColor, {}, 1);
  EXPECT_NE(controls.choices().color, color);
  // Every colour mode comes up once before the cycle is back where it began.
  bool seen[media::kColorModeCount] = {};
  for (int i = 0; i < media::kColorModeCount; ++i) {
    seen[int(controls.choices().color)] = true;
    const CallEffects effects = controls.apply(CallAction::kNextColor, {}, 1);
    EXPECT_TRUE(effects.redraw_picture);
    EXPECT_FALSE(effects.send_view);
  }
  EXPECT_NE(controls.choices().color, color);
  for (int i = 0; i < media::kColorModeCount; ++i) EXPECT_TRUE(seen[i]) << i;
}

TEST(CallControls, MuteAndLeaveAreLeftToTheClient) {
  CallControls controls;
  EXPECT_TRUE(controls.apply(CallAction::kToggleMute, {}, 1).toggle_mute);
  EXPECT_TRUE(controls.apply(CallAction::kLeave, {}, 1).leave);
  EXPECT_TRUE(controls.apply(CallAction::kToggleStats, {}, 1).redraw_chrome);
  EXPECT_TRUE(controls.choices().show_stats);
}

TEST(CallControls, HidingTheStatsBoxUncoversThePicture) {
  CallControls controls;
  EXPECT_FALSE(controls.apply(CallAction::kToggleStats, {}, 1).uncover_picture);  // shown
  EXPECT_TRUE(controls.apply(CallAction::kToggleStats, {}, 1).uncover_picture);   // hidden
}

TEST(CallControls, FocusCyclesSpeakerThenEachOtherThenGrid) {
  const net::Participants list = three_people();
  CallControls controls;
  auto press = [&] { return controls.apply(CallAction::kCycleFocus, list, /*my_id=*/1); };
  EXPECT_TRUE(press().send_view);
  EXPECT_EQ(controls.choices().layout, net::ViewLayout::kFocus);
  EXPECT_EQ(controls.choices().pinned_id, 0u);  // whoever speaks
  press();
  EXPECT_EQ(controls.choices().pinned_id, 2u);  // ourselves (1) skipped
  press();
  EXPECT_EQ(controls.choices().pinned_id, 3u);
  press();
  EXPECT_EQ(controls.choices().layout, net::ViewLayout::kGrid);
  EXPECT_EQ(controls.choices().pinned_id, 0u);
}

TEST(CallControls, APinnedParticipantWhoLeftEndsTheCycle) {
  CallControls controls({false, false, media::RenderMode::kHalf, media::ColorMode::kTrueColor,
                         net::ViewLayout::kFocus, 99});
  controls.apply(CallAction::kCycleFocus, three_people(), 1);
  EXPECT_EQ(controls.choices().layout, net::ViewLayout::kGrid);
}

TEST(CallControls, PinByNameFindsTheParticipant) {
  CallControls controls;
  EXPECT_FALSE(controls.pin_by_name("carol", three_people()));
  EXPECT_TRUE(controls.pin_by_name("bob", three_people()));
  EXPECT_EQ(controls.choices().layout, net::ViewLayout::kFocus);
  EXPECT_EQ(controls.choices().pinned_id, 3u);
}

}  // namespace
}  // namespace ttycall::client
