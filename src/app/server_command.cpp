#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <cctype>
#include <memory>
#include <string>

#include "app/commands.h"
#include "core/alloc_accounting.h"
#include "core/console.h"
#include "media/layout.h"
#include "net/protocol.h"
#include "server/server.h"

namespace ttycall::app {
namespace {

// Everything the server allocated must be gone once it is destroyed: says whether it is and
// returns the exit status, 0 or 3 for a leak. `before` is the heap as the server started.
// C libraries' own mallocs outside any site ("malloc (unattributed)") are not the server's:
// glibc keeps each finished thread's TLS vector with its cached stack, for one. They are
// named, not judged.
int report_memory_at_exit(const core::HeapTotals& before, const core::SiteTotals& c_before) {
  namespace acct = core::alloc_accounting;
  const core::HeapTotals after = acct::totals();
  const core::SiteTotals c_after = acct::site(core::kMallocSite);
  const int64_t c_live = c_after.live_count - c_before.live_count;
  const int64_t c_bytes = c_after.live_bytes - c_before.live_bytes;
  const int64_t live =
      int64_t(after.allocs - after.frees) - int64_t(before.allocs - before.frees) - c_live;
  const int64_t bytes = after.current_bytes - before.current_bytes - c_bytes;
  const std::string c_note =
      c_live == 0 && c_bytes == 0
          ? std::string()
          : fmt::format("; C libraries keep {} bytes in {} blocks of their own", c_bytes, c_live);
  core::write_stderr_whole(
      live == 0 && bytes == 0
          ? fmt::format("ttycall: memory at exit: every allocation the server made was freed "
                        "({} allocations in all{})\n",
                        after.allocs - before.allocs, c_note)
          : fmt::format("ttycall: memory at exit: LEAK of {} bytes in {} allocations{}\n", bytes,
                        live, c_note));
  return live == 0 && bytes == 0 ? 0 : 3;
}

int run_server(server::ServerOptions& options, const std::string& log_level,
               const std::string& password_file) {
  core::init_logging(log_level);
  if (!password_file.empty()) {
    core::Result<std::string> password = read_password_file(password_file);
    if (!password.is_ok()) {
      core::write_stderr_whole("ttycall: " + password.status().message() + "\n");
      return password.status().exit_code();
    }
    options.password = std::move(*password);
  }
  const core::HeapTotals before = core::alloc_accounting::totals();
  const core::SiteTotals c_before = core::alloc_accounting::site(core::kMallocSite);
  try {
    server::Server server(options);
    server.start();
    server.wait();
  } catch (const std::exception& e) {
    core::write_stderr_whole(std::string("ttycall: ") + e.what() + "\n");
    return 1;
  }
  return report_memory_at_exit(before, c_before);
}

}  // namespace

Command add_server_command(CLI::App& app) {
  auto* cmd = app.add_subcommand("server", "Host a call: participants connect to this server");
  cmd->footer(
      "Examples:\n"
      "  ttycall server --bind 0.0.0.0             everyone who can reach this machine\n"
      "  ttycall server --port 9000 --max-clients 8\n"
      "  ttycall server --rooms rooms.txt --list-rooms   only the rooms the file lists\n"
      "  ttycall server --bind 0.0.0.0 --cluster nats://10.0.0.9:4222 --advertise 10.0.0.5\n"
      "                                            a node of a cluster (docs/CLUSTER.md)\n"
      "\n"
      "As a service (from the .deb): systemctl enable --now ttycall-server; its options go in\n"
      "/etc/default/ttycall-server as TTYCALL_SERVER_* variables.");
  auto options = std::make_shared<server::ServerOptions>();
  auto log_level = std::make_shared<std::string>("info");
  cmd->add_option("--bind", options->bind, "Address to listen on")->capture_default_str();
  cmd->add_option("--port", options->port, "TCP port (0 = any free port)")->capture_default_str();
  cmd->add_option("--max-clients", options->max_clients, "Most participants at once, in all rooms")
      ->check(CLI::Range(1, 4 * server::kMaxRoomSize))
      ->capture_default_str();
  auto* rooms = cmd->add_option_group("Rooms", "One server hosts many calls, each a room");
  rooms
      ->add_option("--rooms", options->rooms,
                   "open (any room name makes a room) or FILE: only the rooms listed, one a line "
                   "as NAME [password=PASSWORD] [max=N]")
      ->type_name("open|FILE")
      ->capture_default_str();
  rooms->add_option("--default-room", options->default_room, "The room of a client that names none")
      ->capture_default_str();
  rooms->add_option("--max-room-size", options->max_room_size, "Most participants in one room")
      ->check(CLI::Range(1, server::kMaxRoomSize))
      ->capture_default_str();
  rooms
      ->add_option("--gallery", options->gallery,
                   "Most tiles a viewer sees (the pinned participant, then recent speakers, "
                   "then cameras); a viewer may ask for another number with g")
      ->check(CLI::Range(1, media::kMaxTiles))
      ->capture_default_str();
  rooms
      ->add_option("--mixed-speakers", options->mixed_speakers,
                   "How many of the loudest talkers are mixed each 20 ms")
      ->check(CLI::Range(1, media::audio::AudioMixer::kMaxMixed))
      ->capture_default_str();
  rooms->add_flag("--list-rooms", options->list_rooms,
                  "Tell `ttycall rooms` which rooms there are and how many are in each");
  rooms
      ->add_option("--chat-history", options->chat_history,
                   "Chat messages each room keeps in memory for those who join later (never on "
                   "disk)")
      ->check(CLI::Range(0, server::ChatHistory::kMaxCapacity))
      ->capture_default_str();
  cmd->add_option("--fps", options->fps, "Frames per second sent to viewers")
      ->check(CLI::Range(1, 120))
      ->capture_default_str();
  cmd->add_option("--threads", options->io_threads, "IO threads (0 = one per core)")
      ->check(CLI::Range(0, 256));
  cmd->add_option("--render-threads", options->render_threads,
                  "Threads that render views beside the compositor's own (default: one per "
                  "core beyond the first)")
      ->check(CLI::Range(0, 64));
  cmd->add_option("--decode-threads", options->decode_threads,
                  "Threads that decode camera frames, off the threads that serve connections "
                  "(0 = one per two cores, at least one)")
      ->check(CLI::Range(0, 64));
  cmd->add_option("--warmup", options->warmup_seconds,
                  "Seconds after start-up before memory is judged steady")
      ->check(CLI::Range(0.0, 3600.0))
      ->capture_default_str();
  cmd->add_option("--memory-report", options->memory_report_path,
                  "Append Memory Reports to FILE instead of stderr")
      ->type_name("FILE");
  cmd->add_option("--memory-report-interval", options->memory_report_interval,
                  "Write a Memory Report every SEC seconds (0 = only on SIGUSR1 and at exit)")
      ->check(CLI::Range(0.0, 86400.0));
  cmd->add_option("--stats-json", options->stats_json_path,
                  "Write counters and heap figures as JSON to FILE (at each report and at exit)")
      ->type_name("FILE");
  auto password_file = std::make_shared<std::string>();
  auto* security = cmd->add_option_group(
      "Security", "Calls are encrypted; these say who may join (see `ttycall key`)");
  security->add_flag("--insecure", options->insecure,
                     "Turn encryption off (clients must also say --insecure)");
  security->add_option("--identity", options->identity_file,
                       "The server's key file, created if missing (default: "
                       "~/.config/ttycall/server_key)");
  security->add_option("--password", options->password,
                       "Clients must know this password (it never crosses the network)");
  security
      ->add_option("--password-file", *password_file,
                   "Read the password from the first line of FILE (keeps it out of `ps`)")
      ->check(CLI::ExistingFile);
  security
      ->add_option("--allowed-keys", options->allowed_keys_file,
                   "Only clients whose key (from `ttycall key`) is a line of FILE may join")
      ->check(CLI::ExistingFile);
  auto* limits = cmd->add_option_group("Limits", "What one client may cost the server");
  limits
      ->add_option("--max-connections-per-ip", options->max_connections_per_ip,
                   "Most open connections from one address (an IPv6 /64 counts as one)")
      ->check(CLI::Range(1, 16384))
      ->capture_default_str();
  limits
      ->add_option("--max-pending", options->max_pending,
                   "Most connections that have not joined yet, server-wide (joined clients "
                   "never count)")
      ->check(CLI::Range(1, 100000))
      ->capture_default_str();
  limits
      ->add_option("--max-pending-per-ip", options->max_pending_per_ip,
                   "Most connections that have not joined yet from one address")
      ->check(CLI::Range(1, 16384))
      ->capture_default_str();
  limits
      ->add_option("--connections-per-ip-per-second", options->connections_per_ip_per_second,
                   "New connections one address may open a second (a burst of 10, or of a second's "
                   "worth, first)")
      ->check(CLI::Range(0.01, 10000.0))
      ->capture_default_str();
  limits
      ->add_option("--handshakes-per-ip-per-second", options->handshakes_per_ip_per_second,
                   "Key exchanges one address may start a second (a burst of 5, or of a second's "
                   "worth, first)")
      ->check(CLI::Range(0.01, 10000.0))
      ->capture_default_str();
  limits
      ->add_option("--wrong-passwords-per-minute", options->wrong_passwords_per_minute,
                   "Wrong passwords the whole server takes a minute; beyond it only addresses "
                   "that gave a right one before may try (each address also backs off: 2 s "
                   "after a wrong password, doubling to 60 s)")
      ->check(CLI::Range(1.0, 100000.0))
      ->capture_default_str();
  limits
      ->add_option("--first-message-timeout", options->first_message_timeout,
                   "Seconds a new connection has to send its first packet")
      ->check(CLI::Range(0.5, 600.0))
      ->capture_default_str();
  limits
      ->add_option("--refusal-log-interval", options->refusal_log_interval,
                   "Seconds between the log lines that count refused connections (one per "
                   "reason)")
      ->check(CLI::Range(1.0, 3600.0))
      ->capture_default_str();
  limits
      ->add_option("--handshake-timeout", options->handshake_timeout,
                   "Seconds a new connection has to say hello")
      ->check(CLI::Range(0.5, 600.0))
      ->capture_default_str();
  limits
      ->add_option("--idle-timeout", options->idle_timeout,
                   "Seconds without a packet (or with a write stuck) before a client is dropped")
      ->check(CLI::Range(1.0, 86400.0))
      ->capture_default_str();
  limits
      ->add_option("--max-pool-memory", options->max_pool_mib,
                   "MiB the server's buffer pools may reserve in all (beyond it frames are "
                   "dropped, never the server)")
      ->check(CLI::Range(size_t(64), size_t(1) << 20))
      ->capture_default_str();
  add_size_option(
      *limits, options->max_cols, options->max_rows,
      "Largest view a client may ask for, COLSxROWS (larger is clamped; default 400x200)",
      "--max-size");
  auto* cluster = cmd->add_option_group(
      "Cluster", "Several servers as one, coordinated by NATS JetStream (docs/CLUSTER.md)");
  auto* cluster_url =
      cluster
          ->add_option("--cluster", options->cluster_url,
                       "Join the cluster whose NATS (with JetStream) is at nats://HOST:PORT")
          ->type_name("URL");
  cluster
      ->add_option("--cluster-name", options->cluster_name,
                   "The cluster's name (several clusters can share one NATS)")
      ->check([](const std::string& name) {
        const bool ok =
            !name.empty() && name.size() <= 32 && std::all_of(name.begin(), name.end(), [](char c) {
              return std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_';
            });
        return ok ? std::string() : "1-32 letters, digits, - or _";
      })
      ->needs(cluster_url)
      ->capture_default_str();
  cluster
      ->add_option("--advertise", options->advertise,
                   "HOST[:PORT] clients are sent to to reach this node (default port: --port)")
      ->needs(cluster_url);
  cluster
      ->add_option("--drain-seconds", options->drain_seconds,
                   "On SIGTERM, at most this long for the clients to move to other nodes "
                   "before exiting (0 = exit at once)")
      ->check(CLI::Range(0.0, 3600.0))
      ->needs(cluster_url)
      ->capture_default_str();
  auto* audio = cmd->add_option_group("Voice", "The server's mixer");
  audio->add_flag("!--no-audio", options->audio, "Do not mix or send voice");
  audio
      ->add_option("--audio-bitrate", options->opus.bitrate_bps, "Opus bitrate of each mix (bit/s)")
      ->check(CLI::Range(6000, 510000))
      ->capture_default_str();
  audio
      ->add_option("--gate-threshold", options->mixer.voice.gate.threshold_dbfs,
                   "Noise gate opens above this level (dBFS)")
      ->check(CLI::Range(-90.0, 0.0))
      ->capture_default_str();
  audio
      ->add_option("--duck-db", options->mixer.duck_db,
                   "Gain of the others while one person clearly dominates (dB, 0 = off)")
      ->check(CLI::Range(-40.0, 0.0))
      ->capture_default_str();
  audio
      ->add_option("--compressor-threshold", options->mixer.compressor.threshold_dbfs,
                   "Compressor threshold on each mix (dBFS)")
      ->check(CLI::Range(-60.0, 0.0))
      ->capture_default_str();
  audio
      ->add_option("--compressor-ratio", options->mixer.compressor.ratio,
                   "Compressor ratio on each mix")
      ->check(CLI::Range(1.0, 20.0))
      ->capture_default_str();
  auto* web = cmd->add_option_group(
      "Web", "Participants who join from a browser (camera and microphone need localhost or TLS)");
  web->add_option("--web", options->web,
                  "Serve the web participant on HOST:PORT: http://HOST:PORT/ROOM opens the call "
                  "(same encryption, passwords and limits as terminal clients)")
      ->type_name("HOST:PORT");
  web->add_option("--web-origin", options->web_origins,
                  "An origin whose pages may join (default: the --web address itself); needed "
                  "with --web 0.0.0.0:PORT or behind a TLS reverse proxy")
      ->type_name("URL");
  web->add_option("--web-tls-cert", options->web_tls_cert,
                  "Serve the web participant over TLS (https://HOST:PORT/ROOM, wss://) with this "
                  "PEM certificate chain; needs --web-tls-key")
      ->type_name("CERT.pem");
  web->add_option("--web-tls-key", options->web_tls_key, "The PEM private key of --web-tls-cert")
      ->type_name("KEY.pem");
  web->add_option("--web-root", options->web_root,
                  "The page's files (default: next to the binary, or its share/ttycall/web)")
      ->type_name("DIR");
  cmd->add_option("--log-level", *log_level, "trace, debug, info, warn, error or off")
      ->capture_default_str();
  return [options, log_level, password_file] {
    return run_server(*options, *log_level, *password_file);
  };
}

}  // namespace ttycall::app
