#pragma once
// A hostile server for client tests: it speaks just enough of the protocol for an
// `--insecure` client to join (Hello -> Welcome), then sends what the script says — a
// participant list whose names hold raw bytes no real server would send, say — and keeps
// the connection alive with Pings. It accepts one client on 127.0.0.1, runs on its own
// thread, and stops itself after the script's lifetime, so a test never hangs on it.
#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <mutex>
#include <optional>
#include <span>
#include <string_view>
#include <thread>
#include <vector>

#include "net/protocol.h"

namespace ttycall::itest {

class ScriptedServer;

struct ServerScript {
  net::Welcome welcome{1, 15};  // the id the client gets, and the fps
  // Sent in this order right after the Welcome. Names may hold any bytes: set them directly
  // in net::Name (raw_name()), as Name::from would clean them.
  std::vector<net::Participants> participant_lists;
  // Set: the first packet the client sends (KeyHello or Hello) is answered with this Bye,
  // in cleartext, as anyone on the path could write it, and nothing else follows.
  std::optional<net::Bye> refuse_with;
  std::chrono::milliseconds ping_interval{250};
  std::chrono::milliseconds lifetime{30000};  // the server stops itself after this
  // Runs on the server's thread once the participant lists are out: the place for a test
  // to send anything else, with send_packet() or send_message() (VideoDown frames with
  // hostile tile labels, a Bye with a hostile text...). May also be left empty and the
  // packets sent from the test's thread once wait_joined() says the client is in.
  std::function<void(ScriptedServer&)> after_join;
};

// A camera frame the client sent (VideoUp), as its header describes it.
struct ReceivedCameraFrame {
  uint16_t width = 0;
  uint16_t height = 0;
  uint64_t capture_us = 0;
};

// `bytes` as a Name, exactly: cut to kMaxNameBytes and nothing else.
net::Name raw_name(std::string_view bytes);

class ScriptedServer {
 public:
  // Listens on 127.0.0.1 on a port the kernel picks (bound before the constructor returns,
  // so nobody else can take it) and starts the thread. Throws std::runtime_error if it
  // cannot listen.
  explicit ScriptedServer(ServerScript script);
  ~ScriptedServer();  // stop()
  ScriptedServer(const ScriptedServer&) = delete;
  ScriptedServer& operator=(const ScriptedServer&) = delete;

  uint16_t port() const { return port_; }

  // The frame sender: writes one whole packet (header and payload, as net::build_packet
  // makes it) to the client, from any thread. False if no client has joined, it is gone,
  // or the write did not finish within a few seconds.
  bool send_packet(std::span<const uint8_t> packet);
  template <class Msg>
  bool send_message(net::MsgType type, const Msg& msg) {
    std::vector<uint8_t> packet(net::kHeaderSize + net::max_payload(type));
    const size_t n = net::build_packet(type, msg, packet);
    return n > 0 && send_packet({packet.data(), n});
  }

  // True once the client's Hello came and the Welcome and the lists went out.
  bool wait_joined(std::chrono::milliseconds timeout) const;
  bool joined() const { return joined_.load(); }
  // Whether the client said Bye, and whether it closed its side (or the server stopped).
  bool client_said_bye() const { return said_bye_.load(); }
  bool client_gone() const { return gone_.load(); }
  int pongs() const { return pongs_.load(); }
  // Whether a client connected and sent a packet at all.
  bool heard_from_client() const { return heard_.load(); }
  // The camera frames the client has sent so far, in order.
  std::vector<ReceivedCameraFrame> camera_frames() const;

  // Says Bye (kNormal) to a client still there, closes, and joins the thread. Idempotent.
  void stop();

 private:
  void run();
  bool accept_client(std::chrono::steady_clock::time_point deadline);
  void on_packet(const net::Header& header, std::span<const uint8_t> payload);
  void close_client();

  ServerScript script_;
  int listen_fd_ = -1;
  uint16_t port_ = 0;
  std::mutex write_mutex_;  // guards client_fd_ for writers and closing
  int client_fd_ = -1;
  std::atomic<bool> stopping_{false};
  std::atomic<bool> joined_{false};
  std::atomic<bool> said_bye_{false};
  std::atomic<bool> gone_{false};
  std::atomic<int> pongs_{0};
  std::atomic<bool> heard_{false};
  mutable std::mutex camera_mutex_;
  std::vector<ReceivedCameraFrame> camera_frames_;
  std::thread thread_;
};

}  // namespace ttycall::itest
