#pragma once
// Everything `ttycall server` can be told.
#include <cstdint>
#include <string>
#include <vector>

#include "media/audio/mixer.h"
#include "media/audio/opus_codec.h"

namespace ttycall::server {

// The largest --max-room-size: member storage is sized to a room's maximum when it is made.
constexpr int kMaxRoomSize = 4096;

struct ServerOptions {
  std::string bind = "127.0.0.1";
  uint16_t port = 27224;  // 0 = any free port (see Server::port())
  int max_clients = 32;   // in all rooms together
  // Rooms (room_policy.h): "open" (any name makes a room) or a rooms file.
  std::string rooms = "open";
  std::string default_room = "lobby";  // where a Hello without a room goes
  int max_room_size = 256;             // members of one room (at most kMaxRoomSize)
  int gallery = 16;                    // tiles a viewer sees unless it asks (at most kMaxTiles)
  int mixed_speakers = 6;              // loudest active speakers mixed per tick
  bool list_rooms = false;             // answer ListRooms (`ttycall rooms`)
  int chat_history = 50;               // chat messages a room keeps for late joiners (0-1000)
  int fps = 30;
  int io_threads = 0;       // 0 = one per core
  int render_threads = -1;  // helpers for the compositor; -1 = one per core beyond the first
  int decode_threads = 0;   // camera frame decoders; 0 = one per two cores (at least one)
  double warmup_seconds = 5.0;
  std::string memory_report_path;     // empty = stderr
  double memory_report_interval = 0;  // seconds; 0 = only on SIGUSR1 and at exit
  std::string stats_json_path;
  bool install_signal_handlers = true;  // SIGINT/SIGTERM stop, SIGUSR1 reports
  bool report_at_exit = true;
  // Security (see net/key_exchange.h).
  bool insecure = false;      // no encryption and no authentication
  std::string identity_file;  // the server's Ed25519 identity; empty = config_dir()/server_key
  bool ephemeral_identity = false;           // a new identity in memory (the local demo)
  std::string password;                      // non-empty: clients must know it
  std::string allowed_keys_file;             // non-empty: only these client keys may join
  int max_connections_per_ip = 8;            // per address group: an IPv4 address, an IPv6 /64
  int max_pending = 64;                      // connections not yet joined, server-wide
  int max_pending_per_ip = 4;                // of them, per address group
  double connections_per_ip_per_second = 5;  // new connections per address group (burst 20)
  double handshakes_per_ip_per_second = 5;   // key exchanges per address group (burst 10)
  double wrong_passwords_per_minute = 30;    // server-wide budget before untrusted groups wait
  double first_message_timeout = 3;          // seconds from connect to the first whole packet
  double refusal_log_interval = 10;          // seconds between aggregated refusal log lines
  double handshake_timeout = 10;             // seconds from connect to a valid hello
  double idle_timeout = 30;  // seconds without a packet, or with a write stuck, before a
                             // client is dropped (clients ping every second)
  int max_cols = 400;        // the largest view a client may ask for (larger is clamped)
  int max_rows = 200;
  int max_video_width = 640;  // the largest frame the server asks a client for
  int max_video_height = 480;
  // Most bytes the buffer pools may reserve together (frames, decoded cameras, receive
  // buffers); beyond it frames are dropped instead of the server running out of memory.
  size_t max_pool_mib = 4096;
  // A cluster of servers over NATS (docs/CLUSTER.md); an empty URL: a server on its own.
  std::string cluster_url;               // nats://HOST:PORT
  std::string cluster_name = "ttycall";  // several clusters may share one NATS
  std::string advertise;                 // HOST[:PORT] clients reach this node at (port: --port)
  double drain_seconds = 30;             // SIGTERM: at most this long for clients to move away
  // The web participant (server/web/): empty = off; else HOST:PORT of its HTTP listener.
  std::string web;
  std::vector<std::string> web_origins;   // origins allowed to open its WebSocket (--web-origin)
  std::string web_root;                   // its files; empty = found next to the binary
  std::string web_tls_cert;               // PEM chain: serve https:// and wss:// (--web-tls-cert)
  std::string web_tls_key;                // and its PEM private key (--web-tls-key)
  bool audio = true;                      // run the voice mixer
  media::audio::MixerParams mixer;        // DSP and mixing parameters
  media::audio::OpusEncoderOptions opus;  // the encoders of the mixes
};

}  // namespace ttycall::server
