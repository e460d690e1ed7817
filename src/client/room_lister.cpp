#include "client/room_lister.h"

#include <fmt/format.h>

#include <asio.hpp>
#include <memory>
#include <optional>

#include "client/client_identity.h"
#include "client/one_exchange.h"
#include "client/refusal_text.h"
#include "client/server_trust.h"
#include "core/console.h"
#include "core/utf8.h"
#include "net/cluster_protocol.h"
#include "net/connection.h"
#include "net/key_exchange.h"
#include "net/known_hosts.h"

namespace ttycall::client {
namespace {

// One connection's worth of asking, on a single-threaded io_context.
class RoomLister : private net::Connection::Owner {
 public:
  RoomLister(asio::io_context& io, const ClientOptions& options)
      : options_(options),
        where_(net::host_port_text(options.host, options.port)),
        connection_(net::Socket(io.get_executor()), *this) {}

  // Connects and asks; the io_context then runs until an answer (or failure) ends it.
  void start() {
    if (!options_.insecure) {
      core::Result<net::Identity> identity = load_client_identity(options_);
      if (!identity.is_ok()) return finish(identity.status());
      identity_ = *identity;
    } else if (core::Status allowed = check_insecure_allowed(options_, where_); !allowed.is_ok()) {
      return finish(std::move(allowed));
    }
    asio::error_code ec;
    asio::ip::tcp::resolver resolver(connection_.socket().get_executor());
    const auto endpoints = resolver.resolve(options_.host, std::to_string(options_.port), ec);
    if (!ec) asio::connect(connection_.socket(), endpoints, ec);
    if (ec) {
      return finish(core::Status::failed(
          fmt::format("cannot reach the server at {}: {}", where_, ec.message())));
    }
    if (options_.insecure) {
      send(net::MsgType::kListRooms, net::ListRooms{}, net::Sealing::kPlain);
    } else {
      key_exchange_.emplace();
      send(net::MsgType::kKeyHello, key_exchange_->hello(), net::Sealing::kPlain);
    }
    connection_.read_next();
  }

  void time_out() {
    finish(core::Status::failed(fmt::format("the server at {} did not answer in time", where_)));
  }

  bool done() const { return done_; }
  core::Result<RoomListing> result() const {
    if (!status_.is_ok()) return status_;
    RoomListing listing;
    if (list_) {
      listing.total = list_->total;
      for (size_t i = 0; i < list_->count; ++i) {
        listing.rooms.push_back(
            {std::string(list_->rooms[i].name.view()), list_->rooms[i].members, {}});
      }
    } else if (cluster_list_) {
      listing.total = cluster_list_->total;
      for (size_t i = 0; i < cluster_list_->count; ++i) {
        const net::ClusterRoomInfo& room = cluster_list_->rooms[i];
        listing.rooms.push_back(
            {std::string(room.name.view()), room.members, std::string(room.address_view())});
      }
    }
    return listing;
  }

 private:
  template <class Msg>
  void send(net::MsgType type, const Msg& msg, net::Sealing sealing = net::Sealing::kSealed) {
    std::array<uint8_t, net::kMaxControlPacket> packet;
    if (size_t n = net::build_packet(type, msg, packet)) {
      connection_.send_control({packet.data(), n}, sealing);
    }
  }

  void finish(core::Status status) {
    if (done_) return;
    done_ = true;
    status_ = std::move(status);
    connection_.shut_down();
  }

  bool accept_header(const net::Header& header) override {
    const bool expected = header.type == net::MsgType::kBye ||
                          (key_exchange_ && !connection_.channel().enabled()
                               ? header.type == net::MsgType::kKeyWelcome
                               : header.type == net::MsgType::kRoomList ||
                                     header.type == net::MsgType::kClusterRoomList);
    if (!expected) {
      finish(core::Status::failed(
          fmt::format("the server at {} sent {} instead of a room list (an older server?)", where_,
                      net::to_string(header.type))));
    }
    return expected;
  }
  std::span<uint8_t> video_payload_buffer(const net::Header&) override { return {}; }

  void on_packet(const net::Header& header, std::span<const uint8_t> payload) override {
    switch (header.type) {
      case net::MsgType::kKeyWelcome:
        return key_welcome(payload);
      case net::MsgType::kRoomList: {
        net::RoomList list;
        if (!net::decode(payload, list)) {
          return finish(core::Status::failed("the server sent a malformed room list"));
        }
        list_ = list;
        return finish(core::Status::ok());
      }
      case net::MsgType::kClusterRoomList: {
        net::ClusterRoomList list;
        if (!net::decode(payload, list)) {
          return finish(core::Status::failed("the server sent a malformed room list"));
        }
        cluster_list_ = list;
        return finish(core::Status::ok());
      }
      case net::MsgType::kBye: {
        net::Bye bye;
        if (!net::decode(payload, bye)) bye = net::Bye::make(net::ByeReason::kNormal, "");
        return finish(core::Status::failed(
            fmt::format("the server at {} refused: {}", where_,
                        refusal_reason(bye, connection_.channel().enabled()))));
      }
      default:
        return;
    }
  }

  void key_welcome(std::span<const uint8_t> payload) {
    net::KeyWelcome welcome;
    net::SessionKeys keys;
    if (!net::decode(payload, welcome) || !key_exchange_->accept(welcome, keys)) {
      return finish(core::Status::failed(fmt::format(
          "the server at {} sent a key exchange that does not verify; not asking", where_)));
    }
    if ((welcome.requirements & net::kNeedsPassword) != 0 && !options_.password.empty()) {
      const core::Status recipient =
          check_password_recipient(options_, where_, key_exchange_->server_identity());
      if (!recipient.is_ok()) return finish(recipient);
    }
    core::Result<std::string> trusted =
        check_server_key(options_, where_, key_exchange_->server_identity());
    if (!trusted.is_ok()) return finish(trusted.status());
    if (!trusted->empty()) core::write_stderr_whole("ttycall: " + *trusted + "\n");
    std::optional<net::PasswordKey> password;
    if ((welcome.requirements & net::kNeedsPassword) != 0) {
      if (options_.password.empty()) {
        return finish(core::Status::failed(
            fmt::format("the server at {} needs a password: ask with --password", where_)));
      }
      password = net::PasswordKey::derive(options_.password, welcome.password_salt);
      if (!password) return finish(core::Status::failed("not enough memory to hash the password"));
    }
    connection_.channel().enable(keys);
    send(net::MsgType::kAuth,
         key_exchange_->make_auth(*identity_, password ? &*password : nullptr));
    send(net::MsgType::kListRooms, net::ListRooms{});
  }

  void on_read_failed(net::ReadFailure, std::string_view detail) override {
    finish(core::Status::failed(fmt::format("the server at {} closed the connection{}{}", where_,
                                            detail.empty() ? "" : ": ", detail)));
  }
  void on_write_failed(std::string_view why) override {
    finish(core::Status::failed(fmt::format("cannot write to the server at {}: {}", where_, why)));
  }

  const ClientOptions& options_;
  const std::string where_;
  net::Connection connection_;
  std::optional<net::Identity> identity_;
  std::optional<net::ClientKeyExchange> key_exchange_;
  std::optional<net::RoomList> list_;
  std::optional<net::ClusterRoomList> cluster_list_;
  core::Status status_;
  bool done_ = false;
};

}  // namespace

core::Result<RoomListing> list_rooms(const ClientOptions& options, double timeout_seconds) {
  asio::io_context io(1);
  RoomLister lister(io, options);
  run_exchange(io, lister, timeout_seconds);
  return lister.result();
}

}  // namespace ttycall::client
