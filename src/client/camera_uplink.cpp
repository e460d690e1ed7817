#include "client/camera_uplink.h"

#include <algorithm>

namespace ttycall::client {
namespace {

constexpr size_t kPacketBytes = net::kHeaderSize + net::kVideoUpHeaderSize;

}  // namespace

net::VideoRequest capped_request(const net::VideoRequest& request, const CameraLimits& limits) {
  net::VideoRequest capped = request;
  capped.fps = uint16_t(std::min<int>(request.fps, limits.max_fps));
  if (request.width == 0 || request.height == 0) return capped;
  if (request.width > limits.max_width || request.height > limits.max_height) {
    // The smaller of the two ratios, in integers: the shape is kept within a pixel.
    const bool width_binds =
        int64_t(limits.max_width) * request.height <= int64_t(limits.max_height) * request.width;
    if (width_binds) {
      capped.width = uint16_t(limits.max_width);
      capped.height = uint16_t(
          std::max<int64_t>(1, int64_t(request.height) * limits.max_width / request.width));
    } else {
      capped.height = uint16_t(limits.max_height);
      capped.width = uint16_t(
          std::max<int64_t>(1, int64_t(request.width) * limits.max_height / request.height));
    }
  }
  return capped;
}

CameraUplink::CameraUplink(asio::io_context& io, net::Connection& connection, CameraLimits limits)
    : connection_(connection),
      limits_(limits),
      timer_(io),
      packets_("client.camera",
               kPacketBytes + media::JpegEncoder::max_size(limits.max_width, limits.max_height), 0,
               2) {}

void CameraUplink::on_request(const net::VideoRequest& request) {
  const bool was_off = request_.width == 0;
  request_ = capped_request(request, limits_);
  if (request_.width > 0 && source_ && was_off) {
    started_ = next_ = core::SteadyClock::now();
    schedule();
  }
}

void CameraUplink::stop() {
  request_ = {};
  ++generation_;
  timer_.cancel();
}

void CameraUplink::schedule() {
  if (request_.width == 0) return;
  const int fps = std::clamp<int>(request_.fps, 1, 120);
  next_ += core::to_duration(1.0 / fps);
  const auto now = core::SteadyClock::now();
  if (next_ < now) next_ = now;
  timer_.expires_at(next_);
  timer_.async_wait([this, generation = generation_](const asio::error_code& ec) {
    if (ec || generation != generation_ || request_.width == 0) return;
    capture_and_send();
    schedule();
  });
}

void CameraUplink::capture_and_send() {
  if (connection_.video_waiting()) return;  // the network has not taken the last one yet
  if (camera_off_) return;
  const int w = request_.width, h = request_.height;
  core::PooledBuffer packet = packets_.acquire();
  if (!packet) return;  // both buffers still on their way out
  const std::span<uint8_t> out = packet.writable();
  const size_t jpeg_size = make_jpeg(w, h, out.subspan(kPacketBytes));
  if (jpeg_size == 0) return;
  const net::VideoUpHeader up{seq_++, core::wall_clock_us(), uint16_t(w), uint16_t(h)};
  net::encode(up, out.subspan(net::kHeaderSize, net::kVideoUpHeaderSize));
  const size_t payload = net::kVideoUpHeaderSize + jpeg_size;
  net::write_header(net::MsgType::kVideoUp, out.subspan(net::kHeaderSize, payload),
                    out.first<net::kHeaderSize>());
  packet.set_size(net::kHeaderSize + payload);
  connection_.offer_video(packet);
}

size_t CameraUplink::make_jpeg(int width, int height, std::span<uint8_t> out) {
  if (encoded_) {
    const std::span<const uint8_t> jpeg = encoded_->frame(width, height, seq_ + phase_);
    if (jpeg.empty() || jpeg.size() > out.size()) return 0;
    std::copy(jpeg.begin(), jpeg.end(), out.begin());
    return jpeg.size();
  }
  const size_t bytes = size_t(width) * height * 3;
  if (pixels_.size() < bytes) pixels_.resize(bytes);
  const media::MutableImageView image{pixels_.data(), width, height, width * 3};
  source_->capture(image, seq_, core::seconds_between(started_, core::SteadyClock::now()));
  return jpeg_.encode(image.view(), out);
}

}  // namespace ttycall::client
