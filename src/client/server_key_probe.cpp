#include "client/server_key_probe.h"

#include <fmt/format.h>

#include <asio.hpp>
#include <optional>

#include "client/one_exchange.h"
#include "client/refusal_text.h"
#include "net/connection.h"
#include "net/key_exchange.h"
#include "net/known_hosts.h"

namespace ttycall::client {
namespace {

// One key exchange on a single-threaded io_context.
class KeyProbe : private net::Connection::Owner {
 public:
  KeyProbe(asio::io_context& io, const ClientOptions& options)
      : where_(net::host_port_text(options.host, options.port)),
        host_(options.host),
        port_(options.port),
        connection_(net::Socket(io.get_executor()), *this) {}

  void start() {
    asio::error_code ec;
    asio::ip::tcp::resolver resolver(connection_.socket().get_executor());
    const auto endpoints = resolver.resolve(host_, std::to_string(port_), ec);
    if (!ec) asio::connect(connection_.socket(), endpoints, ec);
    if (ec) {
      return finish(core::Status::failed(
          fmt::format("cannot reach the server at {}: {}", where_, ec.message())));
    }
    std::array<uint8_t, net::kMaxControlPacket> packet;
    if (size_t n = net::build_packet(net::MsgType::kKeyHello, key_exchange_.hello(), packet)) {
      connection_.send_control({packet.data(), n}, net::Sealing::kPlain);
    }
    connection_.read_next();
  }

  void time_out() {
    finish(core::Status::failed(fmt::format("the server at {} did not answer in time", where_)));
  }
  bool done() const { return done_; }
  core::Result<ProbedServer> result() const {
    if (probed_) return *probed_;
    return status_;
  }

 private:
  void finish(core::Status status) {
    if (done_) return;
    done_ = true;
    status_ = std::move(status);
    connection_.shut_down();
  }

  bool accept_header(const net::Header& header) override {
    const bool expected =
        header.type == net::MsgType::kKeyWelcome || header.type == net::MsgType::kBye;
    if (!expected) {
      finish(core::Status::failed(fmt::format("the server at {} sent {} instead of its key", where_,
                                              net::to_string(header.type))));
    }
    return expected;
  }
  std::span<uint8_t> video_payload_buffer(const net::Header&) override { return {}; }

  void on_packet(const net::Header& header, std::span<const uint8_t> payload) override {
    if (header.type == net::MsgType::kBye) {
      net::Bye bye;
      if (!net::decode(payload, bye)) bye = net::Bye::make(net::ByeReason::kNormal, "");
      return finish(core::Status::failed(fmt::format(
          "the server at {} refused: {}", where_, refusal_reason(bye, /*authenticated=*/false))));
    }
    net::KeyWelcome welcome;
    net::SessionKeys keys;
    if (!net::decode(payload, welcome) || !key_exchange_.accept(welcome, keys)) {
      return finish(core::Status::failed(fmt::format(
          "the server at {} sent a key exchange whose signature does not verify", where_)));
    }
    probed_ = ProbedServer{key_exchange_.server_identity(), welcome.requirements};
    finish(core::Status::ok());
  }

  void on_read_failed(net::ReadFailure, std::string_view detail) override {
    finish(core::Status::failed(fmt::format("the server at {} closed the connection{}{}", where_,
                                            detail.empty() ? "" : ": ", detail)));
  }
  void on_write_failed(std::string_view why) override {
    finish(core::Status::failed(fmt::format("cannot write to the server at {}: {}", where_, why)));
  }

  const std::string where_;
  const std::string host_;
  const uint16_t port_;
  net::Connection connection_;
  net::ClientKeyExchange key_exchange_;
  std::optional<ProbedServer> probed_;
  core::Status status_;
  bool done_ = false;
};

}  // namespace

core::Result<ProbedServer> probe_server_key(const ClientOptions& options, double timeout_seconds) {
  asio::io_context io(1);
  KeyProbe probe(io, options);
  run_exchange(io, probe, timeout_seconds);
  return probe.result();
}

}  // namespace ttycall::client
