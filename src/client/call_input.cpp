#include "client/call_input.h"

#include <fcntl.h>
#include <unistd.h>

#include <csignal>

namespace ttycall::client {

CallInput::CallInput(asio::io_context& io, Handlers handlers)
    : handlers_(std::move(handlers)), io_(io), signals_(io), escape_timer_(io) {}

void CallInput::read_keys() {
  if (!::isatty(STDIN_FILENO)) return;
  // Keys come from a descriptor of our own: Asio makes what it reads non-blocking, and a
  // dup of stdin would share that flag with stdout (the same terminal) and cut frames.
  const int fd = ::open("/dev/tty", O_RDONLY | O_CLOEXEC);
  if (fd < 0) return;
  keyboard_.emplace(io_, fd);
  next_keys();
}

void CallInput::next_keys() {
  keyboard_->async_read_some(asio::buffer(key_bytes_),
                             [this](const asio::error_code& ec, size_t n) {
                               if (ec || closed_) return;
                               on_key_bytes(n);
                               if (!closed_) next_keys();
                             });
}

void CallInput::on_key_bytes(size_t n) {
  escape_timer_.cancel();
  ++reads_;  // a wait begun before these bytes is over, even if its handler is queued
  for (size_t i = 0; i < n && !closed_; ++i) deliver(decoder_.feed(key_bytes_[i]));
  if (closed_ || !decoder_.pending()) return;
  escape_timer_.expires_after(kEscapeWait);
  escape_timer_.async_wait([this, read = reads_](const asio::error_code& ec) {
    if (!ec && !closed_ && read == reads_) deliver(decoder_.flush());
  });
}

void CallInput::deliver(const KeyDecoder::Keys& keys) {
  for (const uint8_t key : keys) {
    if (closed_) return;
    handlers_.key(key);
  }
}

void CallInput::watch_signals(bool resize) {
  signals_.add(SIGINT);
  signals_.add(SIGTERM);
  signals_.add(SIGHUP);
  if (resize) signals_.add(SIGWINCH);
  next_signal();
}

void CallInput::next_signal() {
  signals_.async_wait([this](const asio::error_code& ec, int signal) {
    if (ec || closed_) return;
    if (signal == SIGWINCH) {
      handlers_.resize();
      next_signal();
      return;
    }
    handlers_.quit();
  });
}

void CallInput::close() {
  closed_ = true;
  asio::error_code ignored;
  signals_.cancel(ignored);
  escape_timer_.cancel();
  if (keyboard_) keyboard_->close(ignored);
}

}  // namespace ttycall::client
