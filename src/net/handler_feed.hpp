#pragma once

#include <cstddef>
#include <memory>
#include <span>
#include <string>

#include "net/transport.hpp"

namespace parley::net {

// The handler that a connection's bytes go to (plaintext from a socket, or decrypted by the TLS
// layer), and the bytes it has not taken yet. A handler may replace itself inside on_data (an
// upgrade): the new one gets the rest of the bytes, and the old one lives until its on_data has
// returned. An unconsumed partial message waits in a buffer of its own until more bytes come; an
// idle connection keeps no buffer.
class handler_feed {
 public:
  connection_handler* operator->() const { return handler_.get(); }
  explicit operator bool() const { return handler_ != nullptr; }

  void set(std::unique_ptr<connection_handler> handler) {
    if (in_on_data_) retired_ = std::move(handler_);
    handler_ = std::move(handler);
  }
  void reset() {
    handler_.reset();
    retired_.reset();
  }

  // Offers `bytes`, after what was left over, to the handler for as long as is_open(); keeps what
  // it did not take while still open.
  template <class IsOpen>
  void deliver(std::span<char> bytes, const IsOpen& is_open) {
    if (!leftover_) {
      const std::size_t used = offer(bytes, is_open);
      if (is_open() && used < bytes.size())
        leftover_ = std::make_unique<std::string>(bytes.data() + used, bytes.size() - used);
      return;
    }
    leftover_->append(bytes.data(), bytes.size());
    const std::size_t used = offer(std::span<char>(leftover_->data(), leftover_->size()), is_open);
    if (!is_open()) {
      leftover_.reset();
      return;
    }
    leftover_->erase(0, used);
    if (leftover_->empty()) {
      leftover_.reset();
    } else if (leftover_->capacity() > 4 * leftover_->size() + 4096) {
      leftover_->shrink_to_fit();  // a small partial message keeps no large buffer
    }
  }

  // The connection is gone: frees the buffer, unless the handler is reading it right now (then
  // deliver() frees it once on_data returns).
  void drop_leftover() {
    if (!in_on_data_) leftover_.reset();
  }

 private:
  template <class IsOpen>
  std::size_t offer(std::span<char> bytes, const IsOpen& is_open) {
    std::size_t used = 0;
    while (is_open()) {
      connection_handler* current = handler_.get();
      in_on_data_ = true;
      used += current->on_data(bytes.subspan(used));
      in_on_data_ = false;
      retired_.reset();
      if (handler_.get() == current || used == bytes.size()) break;
    }
    return used;
  }

  std::unique_ptr<connection_handler> handler_;
  std::unique_ptr<connection_handler> retired_;  // kept alive while its on_data returns
  std::unique_ptr<std::string> leftover_;        // unconsumed bytes of a partial message, if any
  bool in_on_data_ = false;
};

}  // namespace parley::net
