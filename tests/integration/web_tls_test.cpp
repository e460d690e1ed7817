// `ttycall server --web ... --web-tls-cert --web-tls-key`: the page and the WebSocket over TLS,
// with a certificate made for the test by the openssl command (scripts/install-deps.sh), a
// real server process and an Asio TLS client that checks the server's certificate.
#include <gtest/gtest.h>

#include <array>
#include <asio.hpp>
#include <asio/ssl.hpp>
#include <chrono>
#include <cstdio>
#include <functional>
#include <optional>
#include <regex>
#include <string>
#include <vector>

#include "server_process.h"
#include "shell_command.h"
#include "temp_dir.h"
#include "ttycall_binary.h"

namespace ttycall::itest {
namespace {

using asio::ip::tcp;
constexpr auto kExchangeTimeout = std::chrono::seconds(30);

using Run = ShellResult;

// A shell command line, its stdout and stderr.
Run run(const std::string& command) {
  return run_command(command + " 2>&1");
}

// A self-signed certificate for 127.0.0.1 and its key, as `name`.pem and `name`.key.pem.
void make_certificate(const TempDir& dir, const std::string& name) {
  const Run made =
      run("openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj /CN=127.0.0.1"
          " -addext subjectAltName=IP:127.0.0.1 -keyout " +
          dir.file(name + ".key.pem") + " -out " + dir.file(name + ".pem"));
  ASSERT_EQ(made.status, 0) << made.out;
}

// What the server answered (up to the end of its reply head when `head_only`, else until it
// closed), and whether the TLS handshake completed. Bounded by kExchangeTimeout.
struct Exchange {
  bool handshake_ok = false;
  std::string reply;
};

Exchange tls_exchange(uint16_t port, const std::string& ca_file, const std::string& request,
                      bool head_only) {
  asio::io_context io;
  asio::ssl::context context(asio::ssl::context::tls_client);
  context.load_verify_file(ca_file);
  context.set_verify_mode(asio::ssl::verify_peer);
  asio::ssl::stream<tcp::socket> stream(io, context);
  Exchange result;
  std::array<char, 4096> buffer;
  std::function<void()> read = [&] {
    stream.async_read_some(asio::buffer(buffer), [&](const asio::error_code& ec, size_t n) {
      result.reply.append(buffer.data(), n);
      if (ec || (head_only && result.reply.find("\r\n\r\n") != std::string::npos)) return;
      read();
    });
  };
  stream.lowest_layer().async_connect(
      tcp::endpoint(asio::ip::address_v4::loopback(), port), [&](const asio::error_code& ec) {
        if (ec) return;
        stream.async_handshake(asio::ssl::stream_base::client, [&](const asio::error_code& h) {
          if (h) return;
          result.handshake_ok = true;
          asio::async_write(stream, asio::buffer(request), [&](const asio::error_code& w, size_t) {
            if (!w) read();
          });
        });
      });
  io.run_for(kExchangeTimeout);
  return result;
}

// Plain HTTP to the TLS port: what came back before the server closed, or nullopt if it
// kept the connection open past the timeout.
std::optional<std::string> plain_exchange(uint16_t port, const std::string& request) {
  asio::io_context io;
  tcp::socket socket(io);
  std::string reply;
  bool closed = false;
  std::array<char, 4096> buffer;
  std::function<void()> read = [&] {
    socket.async_read_some(asio::buffer(buffer), [&](const asio::error_code& ec, size_t n) {
      reply.append(buffer.data(), n);
      if (ec) {
        closed = true;
        return;
      }
      read();
    });
  };
  socket.async_connect(
      tcp::endpoint(asio::ip::address_v4::loopback(), port), [&](const asio::error_code& ec) {
        if (ec) return;
        asio::async_write(socket, asio::buffer(request), [&](const asio::error_code& w, size_t) {
          if (!w) read();
        });
      });
  io.run_for(kExchangeTimeout);
  if (!closed) return std::nullopt;
  return reply;
}

std::string upgrade_request(uint16_t port, const std::string& origin) {
  return "GET /ws HTTP/1.1\r\nHost: 127.0.0.1:" + std::to_string(port) + "\r\nOrigin: " + origin +
         "\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
         "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n";
}

std::string get_request(uint16_t port, const std::string& target) {
  return "GET " + target + " HTTP/1.1\r\nHost: 127.0.0.1:" + std::to_string(port) +
         "\r\nConnection: close\r\n\r\n";
}

class WebTls : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_NO_FATAL_FAILURE(make_certificate(dir_, "web"));
    server_.emplace(std::vector<std::string>{"--web", "127.0.0.1:0", "--web-tls-cert", cert(),
                                             "--web-tls-key", dir_.file("web.key.pem")},
                    dir_.file("server.log"));
    std::smatch m;
    const std::string log = server_->stderr_text();
    ASSERT_TRUE(
        std::regex_search(log, m, std::regex(R"(web participants: https://127\.0\.0\.1:(\d+)/)")))
        << log;
    web_port_ = uint16_t(std::stoi(m[1]));
  }
  void TearDown() override {
    if (!server_) return;
    // A clean exit: no crash, and the exit's leak check passed.
    const std::optional<ExitStatus> exited = server_->terminate(std::chrono::seconds(20));
    ASSERT_TRUE(exited.has_value());
    EXPECT_TRUE(exited->success()) << exited->describe() << "\n" << server_->stderr_text();
  }
  std::string cert() const { return dir_.file("web.pem"); }

  TempDir dir_;
  std::optional<ServerProcess> server_;
  uint16_t web_port_ = 0;
};

TEST_F(WebTls, ServesThePageOverTls) {
  const Exchange page = tls_exchange(web_port_, cert(), get_request(web_port_, "/room"), false);
  ASSERT_TRUE(page.handshake_ok);
  EXPECT_EQ(page.reply.rfind("HTTP/1.1 200 OK\r\n", 0), 0u) << page.reply.substr(0, 200);
  EXPECT_NE(page.reply.find("ttycall-server-key"), std::string::npos);
}

TEST_F(WebTls, UpgradesAWebSocketFromTheHttpsOriginOnly) {
  const std::string https_origin = "https://127.0.0.1:" + std::to_string(web_port_);
  const Exchange ok =
      tls_exchange(web_port_, cert(), upgrade_request(web_port_, https_origin), true);
  ASSERT_TRUE(ok.handshake_ok);
  EXPECT_EQ(ok.reply.rfind("HTTP/1.1 101 Switching Protocols\r\n", 0), 0u) << ok.reply;
  EXPECT_NE(ok.reply.find("Sec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo="), std::string::npos);
  // With TLS on, the plain origin of the same address is another origin.
  for (const std::string& origin :
       {"http://127.0.0.1:" + std::to_string(web_port_), std::string("https://evil.example")}) {
    const Exchange refused =
        tls_exchange(web_port_, cert(), upgrade_request(web_port_, origin), true);
    ASSERT_TRUE(refused.handshake_ok);
    EXPECT_EQ(refused.reply.rfind("HTTP/1.1 403 Forbidden\r\n", 0), 0u) << origin << refused.reply;
  }
}

TEST_F(WebTls, RefusesPlainHttpAndServesTheNextTlsClient) {
  for (int i = 0; i < 3; ++i) {
    const auto plain = plain_exchange(web_port_, get_request(web_port_, "/"));
    ASSERT_TRUE(plain.has_value()) << "the server kept a plain HTTP connection open";
    EXPECT_EQ(plain->find("HTTP/1.1 200"), std::string::npos) << *plain;
  }
  const Exchange page = tls_exchange(web_port_, cert(), get_request(web_port_, "/"), false);
  ASSERT_TRUE(page.handshake_ok);
  EXPECT_EQ(page.reply.rfind("HTTP/1.1 200 OK\r\n", 0), 0u);
}

// The server must not start: a clear message naming the option, and a non-zero exit.
void expect_refused(const std::string& args, const std::string& message) {
  // Bounded: a server that starts after all is stopped, and fails the test.
  const Run r = run("timeout 30 " + ttycall_binary() + " server --bind 127.0.0.1 --port 0 " + args);
  EXPECT_NE(r.status, 0) << args << "\n" << r.out;
  EXPECT_NE(r.out.find(message), std::string::npos) << args << "\n" << r.out;
  EXPECT_EQ(r.out.find("listening"), std::string::npos) << r.out;
}

TEST(WebTlsOptions, BadCertificatesStopTheServerWithAClearMessage) {
  TempDir dir;
  ASSERT_NO_FATAL_FAILURE(make_certificate(dir, "a"));
  ASSERT_NO_FATAL_FAILURE(make_certificate(dir, "b"));
  const std::string web = "--web 127.0.0.1:0 ";
  const std::string key = " --web-tls-key " + dir.file("a.key.pem");
  expect_refused(web + "--web-tls-cert " + dir.file("missing.pem") + key,
                 "--web-tls-cert " + dir.file("missing.pem") + ": cannot open the file");
  expect_refused(web + "--web-tls-cert " + dir.file("a.key.pem") + key,
                 "not a PEM certificate chain");
  expect_refused(web + "--web-tls-cert " + dir.file("b.pem") + key,
                 "not the PEM private key of --web-tls-cert");
  expect_refused(web + "--web-tls-cert " + dir.file("a.pem"), "give both");
  expect_refused("--web-tls-cert " + dir.file("a.pem") + key, "are for --web HOST:PORT");
}

}  // namespace
}  // namespace ttycall::itest
