// Specification of net::Connection's video writing (src/net/connection.h) on a socket with
// TCP_NOTSENT_LOWAT, as the server's sessions set it: behind a peer that does not read, the
// kernel holds about one frame, newer frames replace each other in the mailbox, and when
// the peer reads again it gets the frame in the kernel and then the newest one.
#include "net/connection.h"

#include <gtest/gtest.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/socket.h>

#include <chrono>
#include <thread>
#include <vector>

namespace ttycall::net {
namespace {

using namespace std::chrono_literals;

class QuietOwner : public Connection::Owner {
 public:
  bool accept_header(const Header&) override { return false; }
  std::span<uint8_t> video_payload_buffer(const Header&) override { return {}; }
  void on_packet(const Header&, std::span<const uint8_t>) override {}
  void on_read_failed(ReadFailure, std::string_view) override {}
  void on_write_failed(std::string_view) override {}
  void on_video_written() override { ++written; }
  std::atomic<int> written{0};
};

constexpr size_t kFrameBytes = 4000;

// Reads what arrives until nothing more comes for a while; each frame is kFrameBytes of
// one fill byte, so the bytes say which frames came.
std::vector<uint8_t> frames_read(int fd) {
  std::vector<uint8_t> fills;
  std::vector<uint8_t> bytes;
  std::array<uint8_t, 4096> buffer;
  pollfd p{fd, POLLIN, 0};
  while (::poll(&p, 1, 300) == 1) {
    const ssize_t n = ::recv(fd, buffer.data(), buffer.size(), 0);
    if (n <= 0) break;
    bytes.insert(bytes.end(), buffer.begin(), buffer.begin() + n);
  }
  for (size_t at = 0; at + kFrameBytes <= bytes.size(); at += kFrameBytes) {
    fills.push_back(bytes[at]);
  }
  EXPECT_EQ(bytes.size() % kFrameBytes, 0u) << "a frame came in part";
  return fills;
}

TEST(ConnectionTest, BehindAPeerThatDoesNotReadNewerFramesReplaceEachOtherInTheMailbox) {
  asio::io_context io;
  asio::ip::tcp::acceptor acceptor(io, {asio::ip::address_v4::loopback(), 0});
  // The peer: a small receive buffer, set before connecting, and no reading for now.
  asio::ip::tcp::socket peer(io);
  peer.open(asio::ip::tcp::v4());
  peer.set_option(asio::socket_base::receive_buffer_size(1024));
  peer.connect(acceptor.local_endpoint());
  Socket socket(io.get_executor());
  acceptor.accept(socket);
  const int lowat = 1024;
  ASSERT_EQ(
      ::setsockopt(socket.native_handle(), IPPROTO_TCP, TCP_NOTSENT_LOWAT, &lowat, sizeof lowat),
      0);

  QuietOwner owner;
  Connection connection(std::move(socket), owner);
  core::BufferPool pool("test.video", kFrameBytes, 4, 4);
  std::thread io_thread([&] {
    auto work = asio::make_work_guard(io);
    io.run();
  });

  constexpr int kFrames = 30;
  int replaced = 0;
  for (int i = 1; i <= kFrames; ++i) {
    core::PooledBuffer frame = pool.acquire();
    ASSERT_TRUE(frame);
    std::fill_n(frame.data(), kFrameBytes, uint8_t(i));
    frame.set_size(kFrameBytes);
    if (connection.offer_video(frame)) ++replaced;
    std::this_thread::sleep_for(2ms);  // the writer runs between offers
  }
  std::this_thread::sleep_for(50ms);
  EXPECT_GE(replaced, kFrames - 3) << "frames went to the kernel instead of waiting";

  const std::vector<uint8_t> fills = frames_read(peer.native_handle());
  ASSERT_FALSE(fills.empty());
  EXPECT_LE(fills.size(), 3u) << "the kernel held more than about one frame";
  EXPECT_EQ(fills.back(), kFrames) << "the newest frame came last";
  EXPECT_EQ(owner.written.load(), int(fills.size()));

  asio::post(io, [&] { connection.shut_down(); });
  io.stop();
  io_thread.join();
}

}  // namespace
}  // namespace ttycall::net
