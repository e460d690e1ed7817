#include "client/camera_uplink.h"

#include <gtest/gtest.h>

namespace ttycall::client {
namespace {

void expect_request(const net::VideoRequest& got, int width, int height, int fps) {
  EXPECT_EQ(got.width, width);
  EXPECT_EQ(got.height, height);
  EXPECT_EQ(got.fps, fps);
}

TEST(CappedRequest, WithinTheLimitsTheRequestIsKept) {
  expect_request(capped_request({160, 96, 15}, {}), 160, 96, 15);
  expect_request(capped_request({640, 480, 30}, {}), 640, 480, 30);
  expect_request(capped_request({0, 0, 30}, {}), 0, 0, 30);  // no video stays no video
}

TEST(CappedRequest, TooLargeIsScaledDownInTheSameShape) {
  expect_request(capped_request({1920, 1080, 120}, {}), 640, 360, 30);  // wide: width binds
  expect_request(capped_request({400, 800, 60}, {320, 240, 10}), 120, 240, 10);  // tall
  expect_request(capped_request({1280, 960, 30}, {}), 640, 480, 30);  // the limits' own shape
  expect_request(capped_request({1920, 1, 30}, {}), 640, 1, 30);      // never below one pixel
  expect_request(capped_request({1, 1080, 30}, {}), 1, 480, 30);
}

}  // namespace
}  // namespace ttycall::client
