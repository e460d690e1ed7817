#pragma once
// Plain views of packed RGB24 images. They own nothing: the pixels live in a pooled
// buffer or a scratch canvas owned by whoever made the view.
#include <cstdint>

namespace ttycall::media {

struct ImageView {
  const uint8_t* rgb = nullptr;
  int width = 0;
  int height = 0;
  int stride = 0;  // bytes per row
};

struct MutableImageView {
  uint8_t* rgb = nullptr;
  int width = 0;
  int height = 0;
  int stride = 0;

  ImageView view() const { return {rgb, width, height, stride}; }
  // The sub-rectangle [x, x+w) x [y, y+h); the caller keeps it inside the image.
  MutableImageView sub(int x, int y, int w, int h) const {
    return {rgb + static_cast<long>(y) * stride + x * 3, w, h, stride};
  }
};

}  // namespace ttycall::media
