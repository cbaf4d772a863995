#pragma once

#include <chrono>
#include <cstddef>
#include <memory>
#include <span>
#include <string>
#include <string_view>

namespace parley::net {

// Bytes queued for sending: immutable and shareable, so one broadcast frame serves every recipient.
using shared_bytes = std::shared_ptr<const std::string>;

class transport;

// What a connection does with its bytes: HTTP first, then (after an upgrade) WebSocket.
// Every call comes from the connection's own event-loop thread.
class connection_handler {
 public:
  virtual ~connection_handler() = default;

  // Consumes a prefix of `bytes` and returns its length; the rest is kept and offered again
  // with more data. `bytes` is writable so a WebSocket payload can be unmasked in place.
  virtual std::size_t on_data(std::span<char> bytes) = 0;
  // The timer started with transport::start_timer expired.
  virtual void on_timeout() {}
  // The server is shutting down: finish politely (a WebSocket sends close 1001).
  virtual void on_shutdown() = 0;
  // The server can no longer stand behind this connection's session (cluster mode: its lease
  // lapsed) and asks the client to come back: a WebSocket sends close 1012 with `reason`; other
  // connections carry on.
  virtual void on_restart(std::string_view /*reason*/) {}
  // The peer left more output unread than its limits allow. What was not yet being sent has been
  // dropped (so memory is bounded at once); the handler closes as it sees fit (a WebSocket sends
  // close 1008, which the peer gets if it ever reads again).
  virtual void on_slow_consumer() = 0;
  // The connection is gone, for whatever reason; the handler's last call.
  virtual void on_disconnect() = 0;
};

// The socket side of a connection, as the protocol layers see it.
class transport {
 public:
  virtual ~transport() = default;

  // Queues bytes; all that is queued in one event-loop turn leaves in one gather write.
  virtual void send(const shared_bytes& bytes) = 0;
  virtual void send(std::string bytes) = 0;
  // The last frame of a closing protocol (a WebSocket close frame): queued even over the output
  // limits, so a slow consumer, or a client closed while above its soft limit, is still told why.
  // At most one per connection, and small, so it cannot grow memory.
  virtual void send_last(std::string bytes) { send(std::move(bytes)); }
  // False once the connection is closing or closed, or while a slow consumer's close is pending:
  // a handler stops parsing and acting then. It returns from on_data what it used, so that what
  // follows keeps its framing if the connection goes on (a WebSocket waiting for a close frame).
  [[nodiscard]] virtual bool is_open() const = 0;
  // Sends what is queued, then closes (half-close first, so the peer reads every byte we sent).
  virtual void close_after_flush() = 0;
  // Closes at once, dropping what is queued.
  virtual void close_now() = 0;
  // One timer per connection; starting it again replaces the previous deadline.
  virtual void start_timer(std::chrono::milliseconds delay) = 0;
  virtual void cancel_timer() = 0;
  // Hands the connection to a new handler (the HTTP handler passing it to a WebSocket session);
  // allowed from inside on_data, which then offers the remaining bytes to the new handler.
  virtual void replace_handler(std::unique_ptr<connection_handler> handler) = 0;
  // The loop's clock (tests substitute their own).
  [[nodiscard]] virtual std::chrono::steady_clock::time_point now() const {
    return std::chrono::steady_clock::now();
  }
  // Index of the event loop (thread) the connection lives on.
  [[nodiscard]] virtual std::size_t loop_index() const = 0;
  // The peer as "address:port" ("[::1]:port" for IPv6), for logs; empty when unknown (the socket
  // is closed already, or there is none).
  [[nodiscard]] virtual std::string remote_address() const { return {}; }
};

}  // namespace parley::net
