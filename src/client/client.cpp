#include "client/client.h"

#include <fcntl.h>
#include <fmt/format.h>
#include <pwd.h>

#include <algorithm>
#include <csignal>
#include <cstdlib>
#include <nlohmann/json.hpp>

#include "core/console.h"
#include "core/paths.h"
#include "net/known_hosts.h"

namespace ttycall::client {
namespace {

std::string default_name() {
  if (const char* user = std::getenv("USER"); user != nullptr && *user != '\0') return user;
  if (const passwd* pw = ::getpwuid(::getuid()); pw != nullptr && pw->pw_name[0] != '\0') {
    return pw->pw_name;
  }
  return "guest";
}

}  // namespace

Client::Client(asio::io_context& io, ClientOptions options, CallObserver* observer)
    : options_(std::move(options)),
      io_(io),
      resolver_(io_),
      connection_(net::Socket(io_.get_executor()), *this),
      retry_timer_(io_),
      capture_timer_(io_),
      ping_timer_(io_),
      duration_timer_(io_),
      audio_timer_(io_),
      signals_(io_),
      observer_(observer) {
  if (options_.name.empty()) options_.name = default_name();
  video_payload_.resize(64 * 1024);
  if (!start()) end_call();
}

Client::~Client() = default;

int run_call(ClientOptions options) {
  asio::io_context io(1);
  Client client(io, std::move(options));
  io.run();  // returns when the call has ended: the client then has nothing pending
  return client.exit_code();
}

bool Client::start() {
  VideoSourceOptions video_options;
  video_options.seed = options_.seed;
  video_options.flip = options_.flip;
  video_options.loop = options_.loop;
  video_options.with_audio = options_.audio_in.empty();  // a file's sound, unless told otherwise
  core::Result<OpenedVideo> made = make_video_source(options_.video, video_options);
  if (!made.is_ok()) return refuse(made.status().message());
  source_ = std::move(made->source);
  if (!options_.insecure && !load_identity()) return false;
  if (!open_voice(made->audio)) return false;

  if (options_.cols > 0 && options_.rows > 0) {
    cols_ = options_.cols;
    rows_ = options_.rows;
  } else if (auto size = terminal_size(); size && !options_.headless) {
    cols_ = size->cols;
    rows_ = size->rows;
  }
  cols_ = std::clamp(cols_, 1, net::kMaxTerminalCols);
  rows_ = std::clamp(rows_, 1, net::kMaxTerminalRows);
  screen_.set_size(cols_, rows_);
  video_off_ = options_.camera_off;
  if (options_.focus || !options_.pin.empty()) layout_ = net::ViewLayout::kFocus;
  if (options_.detect_color && !options_.headless) options_.color = detect_color_mode();

  if (!options_.headless) {
    terminal_ = std::make_unique<TerminalGuard>();
    if (screen_.too_small()) core::write_all(STDOUT_FILENO, screen_.compose_too_small());
    // Keys come from a descriptor of our own: Asio makes what it reads non-blocking, and a
    // dup of stdin would share that flag with stdout (the same terminal) and cut frames.
    if (::isatty(STDIN_FILENO)) {
      if (const int fd = ::open("/dev/tty", O_RDONLY | O_CLOEXEC); fd >= 0) {
        keyboard_.emplace(io_, fd);
        read_keys();
      }
    }
  }
  if (options_.handle_signals) watch_signals();
  if (options_.duration > 0) {
    duration_timer_.expires_after(core::to_duration(options_.duration));
    duration_timer_.async_wait([this](const asio::error_code& ec) {
      if (ec) return;
      stats_.mark_end();
      stop();
    });
  }

  trying_since_ = core::SteadyClock::now();
  connect();
  return true;
}

bool Client::refuse(std::string message) {
  exit_code_ = 2;
  exit_message_ = std::move(message);
  return false;
}

bool Client::load_identity() {
  net::ensure_sodium();
  if (options_.ephemeral_identity) {
    identity_ = net::Identity::generate();
    return true;
  }
  const std::filesystem::path file = !options_.identity_file.empty()
                                         ? std::filesystem::path(options_.identity_file)
                                         : core::config_dir() / "client_key";
  if (file.empty()) return refuse("no place for the client key: set HOME or --identity");
  core::Result<net::Identity> loaded = net::Identity::load_or_create(file);
  if (!loaded.is_ok()) return refuse(loaded.status().message());
  identity_ = *loaded;
  return true;
}

bool Client::open_voice(std::shared_ptr<AudioFeed> file_sound) {
  VoiceOptions voice;
  voice.input =
      !options_.audio_in.empty() ? options_.audio_in : (options_.headless ? "none" : "device");
  voice.output =
      !options_.audio_out.empty() ? options_.audio_out : (options_.headless ? "null" : "device");
  voice.muted = options_.muted;
  voice.echo_cancel = options_.echo_cancel;
  voice.loop = options_.loop;
  voice.feed = file_sound;
  core::Result<std::unique_ptr<Voice>> opened = Voice::open(voice);
  if (!opened.is_ok() && options_.audio_in.empty() && options_.audio_out.empty()) {
    // No sound hardware (a server, a container, SSH): the call goes on without voice.
    if (!options_.quiet) {
      core::write_stderr_whole("ttycall: no audio (" + opened.status().message() +
                               "); continuing without\n");
    }
    opened = Voice::open(VoiceOptions{"none", "null", options_.muted, false, false, file_sound});
  }
  if (!opened.is_ok()) return refuse(opened.status().message());
  voice_ = std::move(*opened);
  return true;
}

void Client::end_call() {
  if (ended_) return;
  ended_ = true;
  finish();
  if (observer_) observer_->on_ended();
}

void Client::finish() {
  if (terminal_) terminal_->restore();
  if (!ever_connected_ && exit_code_ == 0) {
    exit_code_ = 1;
    exit_message_ = fmt::format("never reached the server at {}:{} (is it running?)", options_.host,
                                options_.port);
  }
  if (!exit_message_.empty() && !options_.quiet) {
    core::write_stderr_whole("ttycall: " + exit_message_ + "\n");
  }
  if (!options_.save_last_frame.empty()) {
    if (!core::write_file_whole(options_.save_last_frame.c_str(),
                                {reinterpret_cast<const char*>(frame_.data()), frame_size_},
                                false)) {
      core::write_stderr_whole("ttycall: cannot write " + options_.save_last_frame + "\n");
    }
  }
  if (voice_) voice_->close();
  if (!options_.stats_json.empty()) {
    nlohmann::json j;
    stats_.fill_json(j);
    if (voice_) voice_->write_stats(j["audio"]);
    if (!core::write_file_whole(options_.stats_json.c_str(), j.dump(2) + "\n", false)) {
      core::write_stderr_whole("ttycall: cannot write " + options_.stats_json + "\n");
    }
  }
}

void Client::stop() {
  asio::post(io_, [this] {
    if (stopping_) return;
    stopping_ = true;
    if (connected_) {
      // Best effort: tell the server, never waiting on a stuck connection.
      std::array<uint8_t, 64 + net::kSealOverhead> packet;
      const net::Bye bye = net::Bye::make(net::ByeReason::kNormal, "bye");
      connection_.write_now(packet, net::build_packet(net::MsgType::kBye, bye, packet));
    }
    halt();
  });
}

void Client::fail(std::string message) {
  exit_code_ = 1;
  exit_message_ = std::move(message);
  halt();
}

void Client::halt() {
  stats_.mark_end();
  stopping_ = true;
  connected_ = false;
  asio::error_code ignored;
  resolver_.cancel();
  connection_.shut_down();
  retry_timer_.cancel();
  capture_timer_.cancel();
  ping_timer_.cancel();
  audio_timer_.cancel();
  duration_timer_.cancel();
  signals_.cancel(ignored);
  if (keyboard_) keyboard_->close(ignored);
  end_call();
}

// ---- Connecting ----

void Client::connect() {
  ++attempts_;
  resolver_.async_resolve(
      options_.host, std::to_string(options_.port),
      [this](const asio::error_code& ec, const asio::ip::tcp::resolver::results_type& results) {
        if (stopping_) return;
        if (ec) {
          on_connect_failed(ec);
          return;
        }
        asio::async_connect(connection_.socket(), results,
                            [this](const asio::error_code& ec, const asio::ip::tcp::endpoint&) {
                              if (stopping_) return;
                              if (ec) {
                                on_connect_failed(ec);
                              } else {
                                on_connected();
                              }
                            });
      });
}

void Client::on_connect_failed(const asio::error_code& ec) {
  asio::error_code ignored;
  connection_.socket().close(ignored);
  const double waited = core::seconds_between(trying_since_, core::SteadyClock::now());
  const double limit =
      ever_connected_ ? options_.reconnect_timeout : options_.first_connect_timeout;
  if (waited >= limit) {
    fail(fmt::format("cannot reach the server at {}:{}: {}{}", options_.host, options_.port,
                     ec.message(),
                     ever_connected_ ? " (gave up reconnecting)" : " (is it running?)"));
    return;
  }
  schedule_reconnect();
}

void Client::schedule_reconnect() {
  if (ever_connected_) {
    show_status(fmt::format("connection lost; reconnecting to {}:{} (attempt {})", options_.host,
                            options_.port, attempts_));
  }
  retry_timer_.expires_after(core::to_duration(backoff_));
  backoff_ = std::min(backoff_ * 2, ever_connected_ ? 8.0 : 1.0);
  retry_timer_.async_wait([this](const asio::error_code& ec) {
    if (!ec && !stopping_) connect();
  });
}

void Client::on_connected() {
  asio::error_code ignored;
  connection_.socket().set_option(asio::ip::tcp::no_delay(true), ignored);
  connected_ = true;
  ever_connected_ = true;
  attempts_ = 0;
  backoff_ = 0.5;
  if (options_.insecure) {
    send_hello();
    start_call_traffic();
  } else {
    // The key exchange first; Auth, Hello and everything else follow it sealed.
    key_exchange_ = std::make_unique<net::ClientKeyExchange>();
    send_message(net::MsgType::kKeyHello, key_exchange_->hello(), net::Sealing::kPlain);
  }
  connection_.read_next();
}

void Client::send_hello() {
  net::Hello hello;
  hello.render_modes =
      net::render_bit(media::RenderMode::kAscii) | net::render_bit(media::RenderMode::kHalf);
  hello.color_modes = net::color_bit(media::ColorMode::kNone) |
                      net::color_bit(media::ColorMode::k256) |
                      net::color_bit(media::ColorMode::kTrueColor);
  hello.cols = uint16_t(cols_);
  hello.rows = uint16_t(picture_rows());
  hello.render = options_.render;
  hello.color = options_.color;
  hello.name = net::Name::from(options_.name);
  send_message(net::MsgType::kHello, hello);
}

void Client::start_call_traffic() {
  schedule_ping();
  next_audio_ = core::SteadyClock::now();
  schedule_audio();
}

void Client::handle_key_welcome(std::span<const uint8_t> payload) {
  net::KeyWelcome welcome;
  if (!key_exchange_ || connection_.channel().enabled() || !net::decode(payload, welcome)) {
    return fail("the server sent a malformed or unexpected key exchange");
  }
  net::SessionKeys keys;
  if (!key_exchange_->accept(welcome, keys)) {
    return fail(fmt::format(
        "the server at {} sent a key exchange whose signature does not verify: someone may be "
        "tampering with the connection; not joining",
        net::host_port_text(options_.host, options_.port)));
  }
  if (!server_key_trusted(key_exchange_->server_identity())) return;  // fail() has said why
  const net::PasswordKey* password = nullptr;
  if ((welcome.requirements & net::kNeedsPassword) != 0) {
    if (options_.password.empty()) {
      return fail(fmt::format("the server at {} needs a password: connect with --password",
                              net::host_port_text(options_.host, options_.port)));
    }
    if (!password_key_ || password_salt_ != welcome.password_salt) {
      password_key_ = net::PasswordKey::derive(options_.password, welcome.password_salt);
      password_salt_ = welcome.password_salt;
      if (!password_key_) return fail("not enough memory to hash the password");
    }
    password = &*password_key_;
  }
  connection_.channel().enable(keys);
  send_message(net::MsgType::kAuth, key_exchange_->make_auth(*identity_, password));
  send_hello();
  start_call_traffic();
}

// Trust on first use, or exactly the key the caller gave (--server-key, the demo).
bool Client::server_key_trusted(const net::PublicKey& key) {
  const std::string where = net::host_port_text(options_.host, options_.port);
  if (!options_.server_key.empty()) {
    if (key.to_text() == options_.server_key) return true;
    fail(fmt::format("the server at {} presented key {}, not the expected {}; not joining", where,
                     key.to_text(), options_.server_key));
    return false;
  }
  const std::filesystem::path file = !options_.known_hosts_file.empty()
                                         ? std::filesystem::path(options_.known_hosts_file)
                                         : core::config_dir() / "known_hosts";
  const net::HostCheck check = net::check_known_host(file, where, key);
  switch (check.kind) {
    case net::HostCheck::Kind::kKnown:
      return true;
    case net::HostCheck::Kind::kPinnedNow:
      if (!options_.quiet) {
        core::write_stderr_whole(
            fmt::format("ttycall: first connection to {}: its key {} is now pinned in {}\n", where,
                        key.to_text(), file.string()));
      }
      return true;
    case net::HostCheck::Kind::kChanged:
      exit_code_ = 4;
      exit_message_ = fmt::format(
          "@@@ THE SERVER'S KEY HAS CHANGED @@@\n"
          "  server:    {}\n"
          "  pinned:    {} ({} line {})\n"
          "  presented: {}\n"
          "Someone may be intercepting this call, or the server got a new key.\n"
          "Not joining. If its operator confirms the new key (the server prints it at start-up),\n"
          "delete line {} of {} and connect again.",
          where, check.pinned.to_text(), file.string(), check.line, key.to_text(), check.line,
          file.string());
      halt();
      return false;
    case net::HostCheck::Kind::kError:
      fail("cannot check the server's key: " + check.error);
      return false;
  }
  return false;
}

void Client::on_disconnected(std::string_view why) {
  if (!connected_) return;
  connected_ = false;
  connection_.reset();
  key_exchange_.reset();
  capture_timer_.cancel();
  ping_timer_.cancel();
  audio_timer_.cancel();
  request_ = {};
  if (stopping_) return;
  if (!options_.quiet && options_.headless) {
    core::write_stderr_whole(fmt::format("ttycall: connection lost ({}); reconnecting\n", why));
  }
  trying_since_ = core::SteadyClock::now();
  schedule_reconnect();
}

// ---- Reading ----

bool Client::accept_header(const net::Header& header) {
  if (!connection_.channel().enabled() && !options_.insecure &&
      header.type != net::MsgType::kKeyWelcome && header.type != net::MsgType::kBye) {
    fail(fmt::format(
        "the server at {} did not answer the key exchange (an old or --insecure server?)",
        net::host_port_text(options_.host, options_.port)));
    return false;
  }
  return true;
}

std::span<uint8_t> Client::video_payload_buffer(const net::Header& header) {
  if (video_payload_.size() < header.length) video_payload_.resize(header.length);  // rarely
  return video_payload_;
}

void Client::on_read_failed(net::ReadFailure failure, std::string_view detail) {
  if (stopping_) return;
  switch (failure) {
    case net::ReadFailure::kClosed:
      return on_disconnected(detail.empty() ? "server closed the connection" : detail);
    case net::ReadFailure::kTruncated:
      return on_disconnected(detail);
    case net::ReadFailure::kSealedTooEarly:
      return fail("the server sent an encrypted packet before the key exchange");
    case net::ReadFailure::kPlainAfterKeys:
      return fail("the server sent an unencrypted packet inside the call");
    case net::ReadFailure::kCrcMismatch:
      return fail("a packet from the server failed its checksum");
    case net::ReadFailure::kDecryptFailed:
      return fail("a packet from the server did not decrypt (altered in transit?)");
    default:
      return fail(fmt::format("the server sent a bad packet ({})", detail));
  }
}

void Client::on_packet(const net::Header& header, std::span<const uint8_t> payload) {
  if (stopping_) return;
  if (header.type != net::MsgType::kVideoDown) {
    const size_t wire_bytes = net::kHeaderSize + payload.size();
    stats_.on_bytes(wire_bytes);
    if (observer_) observer_->on_packet_bytes(wire_bytes);
  }
  switch (header.type) {
    case net::MsgType::kKeyWelcome:
      handle_key_welcome(payload);
      if (stopping_) return;
      break;
    case net::MsgType::kWelcome: {
      net::Welcome welcome;
      if (net::decode(payload, welcome)) {
        my_id_ = welcome.participant_id;
        stats_.on_participant(my_id_);
        // A reconnect starts from the Hello's plain grid with the camera on.
        if (layout_ != net::ViewLayout::kGrid) send_view();
        if (video_off_) send_media_state();
      }
      break;
    }
    case net::MsgType::kParticipants: {
      net::Participants list;
      if (net::decode(payload, list)) {
        for (int i = 0; i < list.count; ++i) stats_.on_participant(list.list[i].id);
        screen_.set_participants(list, my_id_);
        if (!options_.pin.empty() && !pin_applied_ && layout_ == net::ViewLayout::kFocus) {
          for (int i = 0; i < list.count; ++i) {
            if (list.list[i].name.view() == options_.pin) {
              pinned_id_ = list.list[i].id;
              pin_applied_ = true;
              send_view();
            }
          }
        }
        draw_chrome();
      }
      break;
    }
    case net::MsgType::kJoined: {
      net::Joined joined;
      if (net::decode(payload, joined)) stats_.on_participant(joined.id);
      break;
    }
    case net::MsgType::kVideoRequest: {
      net::VideoRequest request;
      if (!net::decode(payload, request)) break;
      const bool was_off = request_.width == 0;
      request_ = request;
      if (request_.width > 0 && source_ && was_off) {
        capture_start_ = core::SteadyClock::now();
        next_capture_ = capture_start_;
        schedule_capture();
      }
      break;
    }
    case net::MsgType::kVideoDown:
      handle_video(payload);
      break;
    case net::MsgType::kAudioDown: {
      net::AudioDownHeader down;
      std::span<const uint8_t> opus;
      if (voice_ && net::decode(payload, down, opus)) voice_->receive(down, opus);
      break;
    }
    case net::MsgType::kPing: {
      net::Ping ping;
      if (net::decode(payload, ping)) send_message(net::MsgType::kPong, ping);
      break;
    }
    case net::MsgType::kBye: {
      net::Bye bye;
      if (!net::decode(payload, bye)) bye = net::Bye::make(net::ByeReason::kNormal, "");
      if (bye.reason == net::ByeReason::kShutdown || bye.reason == net::ByeReason::kNormal) {
        on_disconnected("the server is shutting down");
        return;
      }
      if (bye.reason >= net::ByeReason::kEncryptionRequired) {
        return fail(fmt::format("the server at {} refused to let you in: {}",
                                net::host_port_text(options_.host, options_.port), bye.view()));
      }
      return fail(fmt::format("the server ended the call: {}", bye.view()));
    }
    case net::MsgType::kPong: {
      net::Ping pong;
      const uint64_t now = core::wall_clock_us();
      if (net::decode(payload, pong) && pong.timestamp_us <= now) {
        stats_.on_rtt_ms(double(now - pong.timestamp_us) / 1000.0);
      }
      break;
    }
    default:
      break;  // Left: the participant list that follows says it all
  }
}

void Client::handle_video(std::span<const uint8_t> payload) {
  net::VideoDownHeader down;
  std::span<const uint8_t> compressed;
  if (!net::decode(payload, down, compressed)) return;
  if (frame_.size() < down.raw_size) frame_.resize(down.raw_size);  // grows rarely
  const size_t n = zstd_.decompress(compressed, {frame_.data(), frame_.size()});
  if (n != down.raw_size) {
    frame_size_ = 0;
    return;
  }
  frame_size_ = n;
  const auto now = core::SteadyClock::now();
  const size_t wire_bytes = net::kHeaderSize + payload.size();
  stats_.on_frame(wire_bytes, now);
  if (observer_) observer_->on_video_frame(wire_bytes);
  ++rate_frames_;
  rate_bytes_ += wire_bytes;
  update_rates(now);
  if (!stats_.steady_marked() &&
      stats_.frames_received() > uint64_t(2 * std::max(1, int(request_.fps)))) {
    stats_.mark_steady();
  }
  const uint64_t now_us = core::wall_clock_us();
  for (int i = 0; i < down.source_count; ++i) {
    if (down.sources[i].participant_id == my_id_ && down.sources[i].capture_us <= now_us) {
      const double latency_ms = double(now_us - down.sources[i].capture_us) / 1000.0;
      stats_.on_latency_ms(latency_ms);
      if (observer_) observer_->on_own_latency_ms(latency_ms);
    }
  }
  // Draw only frames that fit the terminal we have now (a resize may be in flight).
  if (terminal_ && !screen_.too_small() && down.cols <= cols_ && down.rows <= picture_rows()) {
    core::write_all(STDOUT_FILENO, screen_.compose({frame_.data(), frame_size_}, screen_state()));
  }
}

// ---- Writing ----

template <class Msg>
void Client::send_message(net::MsgType type, const Msg& msg, net::Sealing sealing) {
  std::array<uint8_t, net::kMaxControlPacket> packet;
  if (size_t n = net::build_packet(type, msg, packet); n > 0 && connected_) {
    connection_.send_control({packet.data(), n}, sealing);
  }
}

// ---- Camera ----

void Client::schedule_capture() {
  if (request_.width == 0 || !connected_) return;
  const int fps = std::clamp<int>(request_.fps, 1, 120);
  next_capture_ += core::to_duration(1.0 / fps);
  const auto now = core::SteadyClock::now();
  if (next_capture_ < now) next_capture_ = now;
  capture_timer_.expires_at(next_capture_);
  capture_timer_.async_wait([this](const asio::error_code& ec) {
    if (ec || stopping_) return;
    capture_and_send();
    schedule_capture();
  });
}

void Client::capture_and_send() {
  if (connection_.video_waiting()) return;  // the network has not taken the last one yet
  if (video_off_) return;                   // the camera is switched off (v)
  const int w = request_.width, h = request_.height;
  const size_t pixels = size_t(w) * h * 3;
  if (capture_pixels_.size() < pixels) capture_pixels_.resize(pixels);
  const media::MutableImageView image{capture_pixels_.data(), w, h, w * 3};
  source_->capture(image, capture_seq_,
                   core::seconds_between(capture_start_, core::SteadyClock::now()));

  core::PooledBuffer packet = camera_packets_.acquire();
  if (!packet) return;  // both buffers still on their way out
  const std::span<uint8_t> out = packet.writable();
  const size_t fixed = net::kHeaderSize + net::kVideoUpHeaderSize;
  const size_t jpeg_size = jpeg_.encode(image.view(), out.subspan(fixed));
  if (jpeg_size == 0) return;
  const net::VideoUpHeader up{capture_seq_++, core::wall_clock_us(), uint16_t(w), uint16_t(h)};
  net::encode(up, out.subspan(net::kHeaderSize, net::kVideoUpHeaderSize));
  const size_t payload = net::kVideoUpHeaderSize + jpeg_size;
  net::write_header(net::MsgType::kVideoUp, out.subspan(net::kHeaderSize, payload),
                    out.first<net::kHeaderSize>());
  packet.set_size(net::kHeaderSize + payload);
  connection_.offer_video(packet);
}

void Client::schedule_ping() {
  ping_timer_.expires_after(std::chrono::seconds(1));
  ping_timer_.async_wait([this](const asio::error_code& ec) {
    if (ec || !connected_) return;
    send_message(net::MsgType::kPing, net::Ping{core::wall_clock_us()});
    schedule_ping();
  });
}

// ---- Voice ----

void Client::schedule_audio() {
  if (!voice_ || !connected_) return;
  next_audio_ += std::chrono::milliseconds(media::audio::kFrameMs);
  const auto now = core::SteadyClock::now();
  if (next_audio_ < now - std::chrono::milliseconds(100)) next_audio_ = now;  // stalled
  audio_timer_.expires_at(next_audio_);
  audio_timer_.async_wait([this](const asio::error_code& ec) {
    if (ec || stopping_ || !connected_) return;
    voice_->capture([this](std::span<const uint8_t> packet) { send_audio(packet); });
    voice_->play();
    schedule_audio();
  });
}

void Client::send_audio(std::span<const uint8_t> packet) {
  if (connected_) connection_.send_audio(packet);  // when behind, stale audio goes first
}

// ---- Terminal, keys, signals ----

void Client::watch_signals() {
  signals_.add(SIGINT);
  signals_.add(SIGTERM);
  signals_.add(SIGHUP);
  if (!options_.headless && options_.cols == 0) signals_.add(SIGWINCH);
  signals_.async_wait([this](const asio::error_code& ec, int signal) {
    if (ec) return;
    if (signal == SIGWINCH) {
      apply_terminal_size();
      watch_signals();
      return;
    }
    stop();
  });
}

void Client::apply_terminal_size() {
  const auto size = terminal_size();
  if (!size || (size->cols == cols_ && size->rows == rows_)) return;
  cols_ = std::clamp(size->cols, 1, net::kMaxTerminalCols);
  rows_ = std::clamp(size->rows, 1, net::kMaxTerminalRows);
  screen_.set_size(cols_, rows_);
  core::write_all(STDOUT_FILENO, "\x1b[2J");
  if (screen_.too_small()) {
    core::write_all(STDOUT_FILENO, screen_.compose_too_small());
  } else {
    draw_chrome();
  }
  send_view();
}

void Client::send_view() {
  send_message(net::MsgType::kResize,
               net::Resize{uint16_t(cols_), uint16_t(picture_rows()), options_.render,
                           options_.color, layout_, pinned_id_});
}

void Client::send_media_state() {
  send_message(net::MsgType::kMediaState,
               net::MediaState{uint8_t(video_off_ ? net::kMediaVideoOff : 0)});
}

void Client::cycle_focus() {
  // Grid, then focus on whoever speaks, then each of the others pinned in turn, then grid.
  const net::Participants& list = screen_.participants();
  if (layout_ == net::ViewLayout::kGrid) {
    layout_ = net::ViewLayout::kFocus;
    pinned_id_ = 0;
    return;
  }
  int next = 0;  // the list index after the pinned one
  if (pinned_id_ != 0) {
    next = list.count;
    for (int i = 0; i < list.count; ++i) {
      if (list.list[i].id == pinned_id_) next = i + 1;
    }
  }
  if (next < list.count && list.list[next].id == my_id_) ++next;  // not ourselves
  if (next < list.count) {
    pinned_id_ = list.list[next].id;
  } else {
    layout_ = net::ViewLayout::kGrid;
    pinned_id_ = 0;
  }
}

ScreenState Client::screen_state() const {
  ScreenState s;
  s.muted = voice_ && voice_->muted();
  s.video_off = video_off_ || !source_;
  s.show_stats = show_stats_;
  s.render = options_.render;
  s.color = options_.color;
  s.layout = layout_;
  s.pinned_id = pinned_id_;
  s.fps = fps_now_;
  s.latency_ms = stats_.last_latency_ms();
  s.rtt_ms = stats_.last_rtt_ms();
  s.kbit_per_s = kbit_now_;
  if (voice_) {
    s.audio_loss = voice_->loss_fraction();
    s.audio_delay_ms = voice_->delay_ms();
  }
  return s;
}

void Client::draw_chrome() {
  if (terminal_ && !screen_.too_small()) {
    core::write_all(STDOUT_FILENO, screen_.compose_chrome(screen_state()));
  }
}

void Client::update_rates(core::SteadyClock::time_point now) {
  const double seconds = core::seconds_between(rate_start_, now);
  if (seconds < 1.0) return;
  if (rate_start_ != core::SteadyClock::time_point{}) {
    fps_now_ = double(rate_frames_) / seconds;
    kbit_now_ = double(rate_bytes_) * 8 / 1000 / seconds;
  }
  rate_start_ = now;
  rate_frames_ = 0;
  rate_bytes_ = 0;
}

void Client::read_keys() {
  keyboard_->async_read_some(asio::buffer(key_bytes_),
                             [this](const asio::error_code& ec, size_t n) {
                               if (ec) return;
                               for (size_t i = 0; i < n; ++i) on_key(key_bytes_[i]);
                               if (!stopping_) read_keys();
                             });
}

void Client::on_key(uint8_t key) {
  if (key == 'q' || key == 'Q' || key == 3 /* Ctrl-C */ || key == 4 /* Ctrl-D */) {
    stats_.mark_end();
    stop();
  } else if ((key == 'm' || key == 'M') && voice_) {
    voice_->set_muted(!voice_->muted());
    draw_chrome();
  } else if (key == 'v' || key == 'V') {
    video_off_ = !video_off_;
    send_media_state();
    draw_chrome();
  } else if (key == 'r' || key == 'R') {
    options_.render = media::RenderMode((uint8_t(options_.render) + 1) % media::kRenderModeCount);
    send_view();
  } else if (key == 'c' || key == 'C') {
    options_.color = media::ColorMode((uint8_t(options_.color) + 1) % media::kColorModeCount);
    send_view();
    draw_chrome();
  } else if (key == 's' || key == 'S') {
    show_stats_ = !show_stats_;
    draw_chrome();
  } else if (key == 'f' || key == 'F') {
    cycle_focus();
    send_view();
    draw_chrome();
  }
}

void Client::show_status(std::string_view text) {
  if (terminal_) {
    core::write_all(STDOUT_FILENO, fmt::format("\x1b[2J\x1b[H\x1b[0m{}", text));
  } else if (!options_.quiet) {
    core::write_stderr_whole(fmt::format("ttycall: {}\n", text));
  }
}

}  // namespace ttycall::client
