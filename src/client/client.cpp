#include "client/client.h"

#include <fmt/format.h>
#include <pwd.h>

#include <algorithm>
#include <cstdlib>
#include <nlohmann/json.hpp>

#include "client/client_identity.h"
#include "client/refusal_text.h"
#include "client/server_trust.h"
#include "client/terminal.h"
#include "core/console.h"
#include "core/paths.h"
#include "core/safe_text.h"
#include "core/utf8.h"
#include "net/cluster_protocol.h"
#include "net/known_hosts.h"

namespace ttycall::client {
namespace {

// A full redraw now and then heals a terminal that something else wrote on (a `wall`
// message, a background job); between them only the cells that changed are written.
constexpr double kFullRedrawSeconds = 30;

const core::AllocSite& renderer_site() {
  static const core::AllocSite site("client.render");
  return site;
}

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
      ping_timer_(io_),
      duration_timer_(io_),
      view_timer_(io_),
      voice_pacer_(io_, [this](std::span<const uint8_t> packet) { send_audio(packet); }),
      camera_(io_, connection_,
              {options_.max_camera_width, options_.max_camera_height, options_.max_camera_fps}),
      input_(io_, {[this](uint8_t key) { on_key(key); }, [this] { apply_terminal_size(); },
                   [this] { stop(); }}),
      renderer_(renderer_site()),
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

// ---- Starting and ending ----

bool Client::start() {
  VideoSourceOptions video_options;
  video_options.seed = options_.seed;
  video_options.flip = options_.flip;
  video_options.loop = options_.loop;
  video_options.with_audio = options_.audio_in.empty();  // a file's sound, unless told otherwise
  core::Result<OpenedVideo> made = make_video_source(options_.video, video_options);
  if (!made.is_ok()) return refuse(made.status().message());
  camera_.set_source(std::move(made->source));
  if (options_.encoded_frames) camera_.set_encoded_frames(options_.encoded_frames, options_.seed);
  if (!options_.room.empty() && !net::is_valid_room_name(options_.room)) {
    return refuse("'" + core::utf8::printable(options_.room) +
                  "' is not a room name (1-32 bytes of UTF-8, no control, format or bidi "
                  "characters)");
  }
  if (const core::TextCheck name =
          core::check_safe_text(net::Name::from(options_.name).view(), net::kMaxNameBytes);
      !name.ok()) {
    return refuse("--name '" + core::utf8::printable(options_.name) + "' " +
                  std::string(core::describe(name.problem)) + ": choose another name");
  }
  for (const std::string& say : options_.say) {
    if (const core::TextCheck text = core::check_safe_text(say, net::kMaxChatTextBytes);
        !text.ok()) {
      return refuse("--say '" + core::utf8::printable(say) + "' " +
                    std::string(core::describe(text.problem)));
    }
  }
  if (!options_.chat_log.empty()) {
    if (core::Status opened = chat_log_.open(options_.chat_log); !opened.is_ok()) {
      return refuse(opened.message());
    }
  }
  if (options_.insecure && !options_.room_password.empty()) {
    return refuse("--room-password needs encryption: drop --insecure to use it");
  }
  if (!options_.insecure && !load_identity()) return false;
  core::Result<HostList> hosts = HostList::parse(options_.host, options_.port);
  if (!hosts.is_ok()) return refuse(hosts.status().message());
  hosts_ = std::move(*hosts);
  use_current_host();
  if (options_.insecure) {
    const core::Status allowed =
        check_insecure_allowed(options_, net::host_port_text(options_.host, options_.port));
    if (!allowed.is_ok()) return refuse(allowed.message());
  }
  if (!open_voice(made->audio)) return false;

  CallChoices choices;
  choices.video_off = options_.camera_off;
  choices.render = options_.render;
  if (options_.detect_color && !options_.headless) options_.color = detect_color_mode();
  choices.color = options_.color;
  if (options_.focus || !options_.pin.empty()) choices.layout = net::ViewLayout::kFocus;
  controls_ = CallControls(choices);
  camera_.set_camera_off(choices.video_off);
  set_up_screen();
  if (options_.handle_signals) input_.watch_signals(!options_.headless && options_.cols == 0);
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

void Client::set_up_screen() {
  if (options_.cols > 0 && options_.rows > 0) {
    cols_ = options_.cols;
    rows_ = options_.rows;
  } else if (auto size = terminal_size(); size && !options_.headless) {
    cols_ = size->cols;
    rows_ = size->rows;
  }
  cols_ = std::clamp(cols_, 1, net::kMaxTerminalCols);
  rows_ = std::clamp(rows_, 1, net::kMaxTerminalRows);
  if (options_.headless) return;
  view_ = std::make_unique<CallView>(cols_, rows_);
  input_.read_keys();
}

bool Client::refuse(std::string message) {
  exit_code_ = 2;
  exit_message_ = std::move(message);
  return false;
}

bool Client::load_identity() {
  core::Result<net::Identity> loaded = load_client_identity(options_);
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
  voice.decode_received = !receive_only();
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
  if (view_) view_->restore();
  if (!ever_connected_ && exit_code_ == 0) {
    exit_code_ = 1;
    exit_message_ = fmt::format("never reached the server at {}:{} (is it running?)", options_.host,
                                options_.port);
  }
  if (!exit_message_.empty() && !options_.quiet) {
    core::write_stderr_whole("ttycall: " + exit_message_ + "\n");
  }
  if (!options_.save_last_frame.empty()) save_last_frame();
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

void Client::save_last_frame() {
  // What the terminal shows after the last frame, as one full redraw: the file always
  // holds the whole picture.
  std::span<const uint8_t> text;
  if (video_.has_frame()) {
    const net::VideoDownHeader& h = video_.header();
    const CallChoices& c = controls_.choices();
    text = renderer_.render_snapshot(video_.picture(), {h.cols, h.rows, c.render, c.color},
                                     video_.overlay());
  }
  if (!core::write_file_whole(options_.save_last_frame.c_str(),
                              {reinterpret_cast<const char*>(text.data()), text.size()}, false)) {
    core::write_stderr_whole("ttycall: cannot write " + options_.save_last_frame + "\n");
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

void Client::fail(const core::Status& status) {
  exit_code_ = status.exit_code();
  exit_message_ = status.message();
  halt();
}

void Client::halt() {
  stats_.mark_end();
  stopping_ = true;
  connected_ = false;
  resolver_.cancel();
  connection_.shut_down();
  retry_timer_.cancel();
  camera_.stop();
  ping_timer_.cancel();
  voice_pacer_.stop();
  duration_timer_.cancel();
  view_timer_.cancel();
  input_.close();
  end_call();
}

// ---- The connection's life ----

void Client::connect() {
  ++attempts_;
  stats_.mark_connecting(core::SteadyClock::now());
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
  hosts_.advance();
  use_current_host();
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

void Client::use_current_host() {
  options_.host = hosts_.current().host;
  options_.port = hosts_.current().port;
}

void Client::on_disconnected(std::string_view why) {
  if (!connected_) return;
  connected_ = false;
  // With several servers (--host a,b or a cluster's nodes), the next one in turn.
  hosts_.advance();
  use_current_host();
  connection_.reset();
  key_exchange_.reset();
  camera_.stop();
  ping_timer_.cancel();
  voice_pacer_.stop();
  if (stopping_) return;
  if (!options_.quiet && options_.headless) {
    core::write_stderr_whole(fmt::format("ttycall: connection lost ({}); reconnecting\n", why));
  }
  trying_since_ = core::SteadyClock::now();
  schedule_reconnect();
}

void Client::handle_key_welcome(std::span<const uint8_t> payload) {
  net::KeyWelcome welcome;
  if (!key_exchange_ || connection_.channel().enabled() || !net::decode(payload, welcome)) {
    return fail("the server sent a malformed or unexpected key exchange");
  }
  const std::string where = net::host_port_text(options_.host, options_.port);
  net::SessionKeys keys;
  if (!key_exchange_->accept(welcome, keys)) {
    return fail(fmt::format(
        "the server at {} sent a key exchange whose signature does not verify: someone may be "
        "tampering with the connection; not joining",
        where));
  }
  const bool needs_password = (welcome.requirements & net::kNeedsPassword) != 0;
  // A node another authenticated node of the cluster named, with its key: trusted as that
  // node vouched, no first-use prompt; anything else is refused.
  const std::optional<net::PublicKey>& vouched = hosts_.current().vouched;
  if (vouched && *vouched != key_exchange_->server_identity()) {
    return fail(fmt::format(
        "the node at {} did not prove the key its cluster gave for it: someone may be tampering "
        "with the connection; not joining",
        where));
  }
  if (vouched) {
    // Trusted: skip the pinning below.
  } else if ((needs_password && !options_.password.empty()) || !options_.room_password.empty()) {
    // Before the key is pinned: a key first seen now must not get a proof, now or next time.
    const core::Status recipient =
        check_password_recipient(options_, where, key_exchange_->server_identity());
    if (!recipient.is_ok()) return fail(recipient);
  }
  if (!vouched) {
    core::Result<std::string> trusted =
        check_server_key(options_, where, key_exchange_->server_identity());
    if (!trusted.is_ok()) return fail(trusted.status());
    if (!trusted->empty() && !options_.quiet) {
      core::write_stderr_whole("ttycall: " + *trusted + "\n");
    }
  }
  if (needs_password && options_.password.empty()) {
    return fail(fmt::format("the server at {} needs a password: connect with --password", where));
  }
  const net::PasswordKey* password = needs_password ? password_for(welcome) : nullptr;
  if (needs_password && password == nullptr) {
    return fail("not enough memory to hash the password");
  }
  if (!options_.room_password.empty() &&
      (!room_password_key_ || room_password_salt_ != welcome.password_salt)) {
    room_password_key_ = net::PasswordKey::derive(options_.room_password, welcome.password_salt);
    room_password_salt_ = welcome.password_salt;
    if (!room_password_key_) return fail("not enough memory to hash the room password");
  }
  connection_.channel().enable(keys);
  send_message(net::MsgType::kAuth, key_exchange_->make_auth(*identity_, password));
  send_hello();
  start_call_traffic();
}

const net::PasswordKey* Client::password_for(const net::KeyWelcome& welcome) {
  if (!password_key_ || password_salt_ != welcome.password_salt) {
    password_key_ = net::PasswordKey::derive(options_.password, welcome.password_salt);
    password_salt_ = welcome.password_salt;
  }
  return password_key_ ? &*password_key_ : nullptr;
}

void Client::send_hello() {
  net::Hello hello;
  hello.cols = uint16_t(cols_);
  hello.rows = uint16_t(picture_rows());
  hello.name = net::Name::from(options_.name);
  hello.room = net::Name::from(options_.room);  // checked at start: a valid room name
  if (room_password_key_ && key_exchange_) {
    key_exchange_->prove_room_password(*room_password_key_, hello);
  }
  send_message(net::MsgType::kHello, hello);
}

void Client::start_call_traffic() {
  schedule_ping();
  if (voice_) voice_pacer_.start(*voice_);
}

void Client::schedule_ping() {
  ping_timer_.expires_after(std::chrono::seconds(1));
  ping_timer_.async_wait([this](const asio::error_code& ec) {
    if (ec || !connected_) return;
    send_message(net::MsgType::kPing, net::Ping{core::wall_clock_us()});
    schedule_ping();
  });
}

// ---- What arrives ----

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
      return handle_key_welcome(payload);
    case net::MsgType::kWelcome:
      return handle_welcome(payload);
    case net::MsgType::kParticipants:
      return handle_participants(payload);
    case net::MsgType::kJoined: {
      net::Joined joined;
      if (net::decode(payload, joined)) stats_.on_participant(joined.id);
      return;
    }
    case net::MsgType::kVideoRequest: {
      net::VideoRequest request;
      if (net::decode(payload, request)) camera_.on_request(request);
      return;
    }
    case net::MsgType::kVideoDown:
      return handle_video(payload);
    case net::MsgType::kAudioDown: {
      net::AudioDownHeader down;
      std::span<const uint8_t> opus;
      if (voice_ && net::decode(payload, down, opus)) voice_->receive(down, opus);
      return;
    }
    case net::MsgType::kPing: {
      net::Ping ping;
      if (net::decode(payload, ping)) send_message(net::MsgType::kPong, ping);
      return;
    }
    case net::MsgType::kChatMessage:
      return handle_chat_message(payload);
    case net::MsgType::kChatRefused:
      return handle_chat_refused(payload);
    case net::MsgType::kBye:
      return handle_bye(payload);
    case net::MsgType::kRedirect:
      return handle_redirect(payload);
    case net::MsgType::kClusterNodes:
      return handle_cluster_nodes(payload);
    case net::MsgType::kPong:
      return handle_pong(payload);
    default:
      return;  // Left: the participant list that follows says it all
  }
}

void Client::handle_welcome(std::span<const uint8_t> payload) {
  net::Welcome welcome;
  if (!net::decode(payload, welcome)) return;
  my_id_ = welcome.participant_id;
  redirects_in_a_row_ = 0;
  stats_.on_participant(my_id_);
  // A reconnect starts from the Hello's plain grid with the camera on.
  if (controls_.choices().layout != net::ViewLayout::kGrid || controls_.choices().gallery != 0) {
    send_view();
  }
  // Without a camera the server ranks us below those with one (the gallery).
  if (controls_.choices().video_off || !camera_.has_source()) send_media_state();
  if (!said_) {  // --say: once, not again after a reconnect
    said_ = true;
    for (const std::string& say : options_.say) send_chat(say);
  }
}

void Client::handle_participants(std::span<const uint8_t> payload) {
  if (!net::decode(payload, participants_)) return;
  for (int i = 0; i < participants_.count; ++i) {
    const net::ParticipantInfo& p = participants_.list[i];
    stats_.on_participant(p.id);
    if (p.id == my_id_) note_own_name(p.name);
  }
  if (view_) view_->set_participants(participants_, my_id_);
  if (!options_.pin.empty() && !pin_applied_ &&
      controls_.choices().layout == net::ViewLayout::kFocus &&
      controls_.pin_by_name(options_.pin, participants_)) {
    pin_applied_ = true;
    send_view();
  }
  draw_chrome();
}

void Client::note_own_name(const net::Name& name) {
  // The server makes names unique in a room ("alice (2)"): say so once, where the status
  // line (which shows it with "(you)") is not there to.
  if (name.view() == own_name_.view()) return;
  own_name_ = name;
  if (name.view() != net::Name::from(options_.name).view() && options_.headless &&
      !options_.quiet) {
    core::write_stderr_whole(
        fmt::format("ttycall: you are '{}' in this call (the name was taken)\n",
                    core::utf8::printable(name.view())));
  }
}

void Client::handle_video(std::span<const uint8_t> payload) {
  const VideoReceiver::Received received =
      receive_only() ? video_.receive_header_only(payload, cols_, picture_rows())
                     : video_.receive(payload, cols_, picture_rows());
  switch (received) {
    case VideoReceiver::Received::kFrame:
      break;
    case VideoReceiver::Received::kMalformed:
    case VideoReceiver::Received::kTooLarge:  // e.g. one sent before our resize arrived
      return;                                 // dropped: the last good frame stays
    case VideoReceiver::Received::kTablesDiffer:
      return fail(
          "the server's pictures leave out JPEG tables that this client's libjpeg makes "
          "differently; update libjpeg-turbo on one side");
  }
  const auto now = core::SteadyClock::now();
  const size_t wire_bytes = net::kHeaderSize + payload.size();
  stats_.on_frame(wire_bytes, now);
  rates_.on_frame(wire_bytes, now);
  if (!stats_.steady_marked() &&
      stats_.frames_received() > uint64_t(2 * std::max(1, int(camera_.request().fps)))) {
    stats_.mark_steady();
  }
  note_own_latency(video_.header());
  const size_t terminal_bytes =
      receive_only()
          ? 0
          : draw_picture(core::seconds_between(last_full_draw_, now) >= kFullRedrawSeconds);
  if (observer_) observer_->on_video_frame(wire_bytes, terminal_bytes);
}

size_t Client::draw_picture(bool full) {
  if (!video_.has_frame()) return 0;
  const net::VideoDownHeader& h = video_.header();
  const CallChoices& c = controls_.choices();
  const media::RenderTarget target{h.cols, h.rows, c.render, c.color};
  const std::span<const uint8_t> text =
      renderer_.render(video_.picture(), target, overlay_with_chat(), full);
  if (renderer_.last_render_full()) last_full_draw_ = core::SteadyClock::now();
  stats_.on_terminal_bytes(text.size());
  // A frame that does not fit the window as it is now (a resize in flight) is not drawn:
  // then the terminal no longer shows what the renderer believes.
  if (view_ && !view_->draw_frame(text, h.cols, h.rows, screen_state())) renderer_.invalidate();
  return text.size();
}

std::span<const media::OverlayCell> Client::overlay_with_chat() {
  const std::span<const media::OverlayCell> labels = video_.overlay();
  if (!view_ || !chat_.visible() || chat_.size() == 0) return labels;
  core::grow_to(chat_overlay_, labels.size(), renderer_site());
  std::copy(labels.begin(), labels.end(), chat_overlay_.begin());
  const net::VideoDownHeader& h = video_.header();
  chat_.draw({chat_overlay_.data(), labels.size()}, h.cols, h.rows);
  return {chat_overlay_.data(), labels.size()};
}

void Client::note_own_latency(const net::VideoDownHeader& down) {
  const uint64_t now_us = core::wall_clock_us();
  for (int i = 0; i < down.source_count; ++i) {
    if (down.sources[i].participant_id == my_id_ && down.sources[i].capture_us <= now_us) {
      const double latency_ms = double(now_us - down.sources[i].capture_us) / 1000.0;
      stats_.on_latency_ms(latency_ms);
      if (observer_) observer_->on_own_latency_ms(latency_ms);
    }
  }
}

void Client::handle_bye(std::span<const uint8_t> payload) {
  net::Bye bye;
  if (!net::decode(payload, bye)) bye = net::Bye::make(net::ByeReason::kNormal, "");
  if (bye.reason == net::ByeReason::kShutdown || bye.reason == net::ByeReason::kNormal) {
    return on_disconnected("the server is shutting down");
  }
  const bool authenticated = connection_.channel().enabled();
  const std::string why = refusal_reason(bye, authenticated);
  if (net::is_retry_later(bye.reason) || net::is_cluster_retry(bye.reason)) {
    show_status(fmt::format("the server at {} says to wait: {}",
                            net::host_port_text(options_.host, options_.port), why));
    return on_disconnected(why);  // tries again, with its back-off
  }
  if (!authenticated || bye.reason >= net::ByeReason::kEncryptionRequired ||
      bye.reason == net::ByeReason::kServerFull) {
    return fail(fmt::format("the server at {} refused to let you in: {}",
                            net::host_port_text(options_.host, options_.port), why));
  }
  fail(fmt::format("the server ended the call: {}", why));
}

void Client::handle_redirect(std::span<const uint8_t> payload) {
  // Sealed, like everything after the key exchange: only the node we authenticated (or,
  // with --insecure, whoever answered) can send us elsewhere.
  net::Redirect redirect;
  if (!net::decode(payload, redirect)) return fail("the server sent a malformed redirect");
  if (++redirects_in_a_row_ > 4) {
    return fail(
        fmt::format("the cluster sent us from node to node without letting us in (last: {})",
                    core::utf8::printable(redirect.node.view())));
  }
  if (!options_.quiet && options_.headless) {
    core::write_stderr_whole(
        fmt::format("ttycall: the room is on {}; connecting there\n", redirect.node.view()));
  }
  connected_ = false;
  connection_.reset();
  key_exchange_.reset();
  camera_.stop();
  ping_timer_.cancel();
  voice_pacer_.stop();
  hosts_.redirect_to(redirect.node);
  use_current_host();
  trying_since_ = core::SteadyClock::now();
  // At once (no back-off), once this packet's handler has returned.
  retry_timer_.expires_after(std::chrono::seconds(0));
  retry_timer_.async_wait([this](const asio::error_code& ec) {
    if (!ec && !stopping_) connect();
  });
}

void Client::handle_cluster_nodes(std::span<const uint8_t> payload) {
  net::ClusterNodes nodes;
  if (net::decode(payload, nodes)) hosts_.learn(nodes);
}

void Client::handle_chat_message(std::span<const uint8_t> payload) {
  net::ChatMessage message;
  if (!net::decode(payload, message)) return;   // the decoder let no unsafe text through
  if (!chat_seen_.first_time(message)) return;  // history again, after a reconnect
  chat_log_.write(message);
  chat_.add(message);
  if (view_) {
    renderer_.invalidate();
    draw_picture(false);
    draw_chrome();
  }
}

void Client::handle_chat_refused(std::span<const uint8_t> payload) {
  net::ChatRefused refused;
  if (!net::decode(payload, refused)) return;
  const std::string why = core::utf8::printable(refused.view());
  if (view_) {
    chat_.set_notice("message not sent: " + why);
    draw_chrome();
  } else if (!options_.quiet) {
    core::write_stderr_whole(fmt::format("ttycall: message not sent: {}\n", why));
  }
}

void Client::send_chat(std::string_view text) {
  send_message(net::MsgType::kChatSend, net::ChatSend::make(text));
}

void Client::handle_pong(std::span<const uint8_t> payload) {
  net::Ping pong;
  const uint64_t now = core::wall_clock_us();
  if (net::decode(payload, pong) && pong.timestamp_us <= now) {
    stats_.on_rtt_ms(double(now - pong.timestamp_us) / 1000.0);
  }
}

// ---- What goes out ----

template <class Msg>
void Client::send_message(net::MsgType type, const Msg& msg, net::Sealing sealing) {
  std::array<uint8_t, net::kMaxControlPacket> packet;
  if (size_t n = net::build_packet(type, msg, packet); n > 0 && connected_) {
    connection_.send_control({packet.data(), n}, sealing);
  }
}

void Client::send_audio(std::span<const uint8_t> packet) {
  if (connected_) connection_.send_audio(packet);  // when behind, stale audio goes first
}

void Client::send_view() {
  constexpr auto kViewInterval = std::chrono::milliseconds(150);
  if (view_waiting_) return;  // the timer sends the view as it is then
  const auto now = core::SteadyClock::now();
  if (now - view_sent_ < kViewInterval) {
    view_waiting_ = true;
    view_timer_.expires_at(view_sent_ + kViewInterval);
    view_timer_.async_wait([this](const asio::error_code& ec) {
      view_waiting_ = false;
      // Not connected: the next Hello carries the size and Welcome the rest.
      if (!ec && connected_) send_view();
    });
    return;
  }
  view_sent_ = now;
  const CallChoices& c = controls_.choices();
  send_message(net::MsgType::kResize, net::Resize{uint16_t(cols_), uint16_t(picture_rows()),
                                                  c.layout, c.pinned_id, c.gallery});
}

void Client::send_media_state() {
  send_message(
      net::MsgType::kMediaState,
      net::MediaState{uint8_t(
          controls_.choices().video_off || !camera_.has_source() ? net::kMediaVideoOff : 0)});
}

// ---- The person at the terminal ----

void Client::on_key(uint8_t key) {
  if (chat_input_.is_open()) return on_chat_key(key);
  if (key == 't' || key == 'T' || key == '\r' || key == '\n') {
    chat_input_.open();
    chat_.clear_notice();
    return draw_chrome();
  }
  if (key == 'p' || key == 'P') {
    chat_.toggle();
    chat_.clear_notice();
    renderer_.invalidate();  // the panel's cells come or go
    draw_picture(false);
    return draw_chrome();
  }
  const CallEffects effects = controls_.apply(action_for_key(key), participants_, my_id_);
  if (effects.leave) {
    stats_.mark_end();
    return stop();
  }
  if (effects.toggle_mute && voice_) voice_->set_muted(!voice_->muted());
  camera_.set_camera_off(controls_.choices().video_off);
  if (effects.send_media_state) send_media_state();
  if (effects.send_view) send_view();
  // The stats box covered part of the picture: all of it is drawn again.
  if (effects.uncover_picture) renderer_.invalidate();
  if (effects.redraw_picture || effects.uncover_picture) draw_picture(false);
  if (effects.redraw_chrome) draw_chrome();
}

void Client::on_chat_key(uint8_t key) {
  switch (chat_input_.key(key)) {
    case ChatInput::Outcome::kTyping:
      break;
    case ChatInput::Outcome::kCancel:
      chat_input_.close();
      break;
    case ChatInput::Outcome::kSend: {
      const std::string_view text = chat_input_.text();
      if (const core::TextCheck check = core::check_safe_text(text, net::kMaxChatTextBytes);
          check.ok()) {
        send_chat(text);
      } else if (check.problem != core::TextProblem::kEmpty) {
        chat_.set_notice(fmt::format("message not sent: it {}", core::describe(check.problem)));
      }
      chat_input_.close();
      break;
    }
  }
  draw_chrome();
}

void Client::apply_terminal_size() {
  const auto size = terminal_size();
  if (!size || (size->cols == cols_ && size->rows == rows_)) return;
  cols_ = std::clamp(size->cols, 1, net::kMaxTerminalCols);
  rows_ = std::clamp(size->rows, 1, net::kMaxTerminalRows);
  if (view_) view_->resize(cols_, rows_, screen_state());
  renderer_.invalidate();  // the screen was cleared
  send_view();
}

ScreenState Client::screen_state() {
  const CallChoices& c = controls_.choices();
  ScreenState s;
  s.muted = voice_ && voice_->muted();
  s.video_off = c.video_off || !camera_.has_source();
  s.show_stats = c.show_stats;
  s.render = c.render;
  s.color = c.color;
  s.layout = c.layout;
  s.pinned_id = c.pinned_id;
  s.chat_input_open = chat_input_.is_open();
  s.chat_line = chat_input_.is_open() ? chat_input_.text() : chat_.status_text();
  s.fps = rates_.fps();
  s.latency_ms = stats_.last_latency_ms();
  s.rtt_ms = stats_.last_rtt_ms();
  s.kbit_per_s = rates_.kbit_per_s();
  if (voice_) {
    s.audio_loss = voice_->loss_fraction();
    s.audio_delay_ms = voice_->delay_ms();
  }
  return s;
}

void Client::draw_chrome() {
  if (view_) view_->draw_chrome(screen_state());
}

void Client::show_status(std::string_view text) {
  if (view_) {
    view_->show_status(text);
    renderer_.invalidate();
  } else if (!options_.quiet) {
    core::write_stderr_whole(fmt::format("ttycall: {}\n", text));
  }
}

}  // namespace ttycall::client
