#pragma once
// N synthetic participants in one process: the load side of `ttycall bench`.
//
// Each participant is a real headless Client (moving test pattern up, every frame down
// checked, decoded and rendered as text, the bytes it would write to a terminal counted;
// with `audio`, a tone up and the mix down, decoded and dropped), so the load is what real
// clients cost the server.
// They share `threads` io_contexts, each run by one thread, the clients dealt out in turn;
// a client's handlers therefore all run on one thread, and the generator reads a client's
// figures only from that thread (by posting to it), never racing the client.
//
// Measurement is by window, with figures of the generator's own: each client reports its
// frames, bytes and latency samples (client::CallObserver) to a tally that begin_window()
// zeroes (so connecting and warm-up are left out) and end_window() reads. The clients' own
// statistics are never touched.
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "client/client_options.h"
#include "media/render_options.h"

namespace ttycall::load {

struct ViewSize {
  int cols = 160;
  int rows = 48;
};

struct LoadOptions {
  std::string host = "127.0.0.1";
  uint16_t port = 0;
  int clients = 1;
  int rooms = 1;  // client i joins room "bench-" + (i % rooms + 1); 1 = the default room
  std::vector<ViewSize> sizes{ViewSize{}};  // client i gets sizes[i % sizes.size()]
  std::string video = "test:moving";        // every client's camera (a client video source)
  media::RenderMode render = media::RenderMode::kHalf;
  media::ColorMode color = media::ColorMode::kTrueColor;
  bool audio = false;      // each client also sends a sine tone (its own pitch) and takes the mix
  int video_clients = -1;  // only clients 0..N-1 send video (the rest: no camera); -1 = all
  int speakers = -1;       // with `audio`: only clients 0..N-1 send a tone; -1 = all
  int threads = 2;
  bool receive_only = false;  // clients check and count frames but neither decode nor render
  // With test:moving: false = one set of frames encoded per size, shared by every client
  // (load/shared_pattern_frames.h); true = each client encodes its own, as a real one does.
  bool encode_each = false;
  double connect_timeout = 5;  // seconds each client keeps trying to reach the server
  bool insecure = false;       // no encryption (a server started with --insecure)
  std::string server_key;      // the server's key; empty = pin it on first use (known_hosts)
};

// The room client `index` joins when the clients are spread over `rooms` (> 1) in turn.
std::string room_name(int index, int rooms);

// One client's figures over a measuring window.
struct ClientWindow {
  int index = 0;
  ViewSize size;
  double seconds = 0;           // length of the window as its io thread saw it
  uint64_t frames = 0;          // video frames received, checked and decoded
  uint64_t bytes_received = 0;  // header + payload bytes of every packet received
  uint64_t video_bytes = 0;     // the same, of the video frames alone
  uint64_t terminal_bytes = 0;  // what drawing the frames would write to the terminal
  double latency_p50_ms = 0;    // capture -> arrival of its own tile, this client's samples
  double latency_p95_ms = 0;
  double latency_p99_ms = 0;
  bool ended = false;  // the client gave up (server unreachable or a fatal error)
  double fps() const { return seconds > 0 ? double(frames) / seconds : 0; }
  double downstream_bytes_per_s() const {
    return seconds > 0 ? double(bytes_received) / seconds : 0;
  }
  double video_bytes_per_s() const { return seconds > 0 ? double(video_bytes) / seconds : 0; }
  double terminal_bytes_per_s() const { return seconds > 0 ? double(terminal_bytes) / seconds : 0; }
};

class LoadGenerator {
 public:
  explicit LoadGenerator(LoadOptions options);
  ~LoadGenerator();  // stop(0.5) if still running
  LoadGenerator(const LoadGenerator&) = delete;
  LoadGenerator& operator=(const LoadGenerator&) = delete;

  // Creates the clients and the io threads; they connect at once.
  void start();
  // How many clients have received at least one frame since start(), and how many have
  // given up (server unreachable, a fatal error).
  struct Progress {
    int receiving = 0;
    int ended = 0;
  };
  Progress progress();
  // Zeroes the figures of every client: the window starts now.
  void begin_window();
  // Every client's figures since begin_window().
  std::vector<ClientWindow> end_window();
  // Asks every client to leave, waits up to `grace_seconds` for them, then stops the
  // io threads. Returns how many clients ended with an error.
  int stop(double grace_seconds);

 private:
  struct Lane;             // one io_context, its thread and its clients
  class Tally;             // one client's figures, as the client reports them
  struct SyntheticClient;  // a client and its tally
  client::ClientOptions client_options(int index) const;
  // Runs fn(lane, client index, client) for every client on its own io thread; waits for all.
  template <class Fn>
  void visit(Fn&& fn);

  LoadOptions options_;
  std::shared_ptr<client::EncodedFrames> shared_frames_;  // null with encode_each
  std::vector<std::unique_ptr<Lane>> lanes_;
  std::vector<std::unique_ptr<SyntheticClient>> clients_;
  bool running_ = false;
};

}  // namespace ttycall::load
