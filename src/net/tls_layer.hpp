#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <span>
#include <string>
#include <string_view>

#include "net/handler_feed.hpp"
#include "net/tls_context.hpp"
#include "net/transport.hpp"

using SSL = struct ssl_st;
using BIO = struct bio_st;

namespace parley::net {

class connection;
class event_loop;

// TLS between a TCP connection and its protocol handlers. To the connection it is the handler:
// it takes the ciphertext the socket read; to the protocol layers (HTTP, then a WebSocket
// session) it is the transport: they send and receive plaintext exactly as over plain TCP.
//
// OpenSSL runs over two memory BIOs, never the socket: what arrives is written into one and
// decrypted into the loop's shared receive buffer; every send is encrypted at once (one TLS
// record per send; a shared broadcast frame is encrypted once per recipient, which cannot be
// avoided) and the ciphertext queued on the connection, which still writes a loop turn's worth
// with one gather write. So the output limits count encrypted bytes (the plaintext plus 22-29
// bytes per record). A plain-TCP connection never passes through here.
class tls_layer final : public connection_handler, public transport {
 public:
  // Makes the inner (HTTP) handler with `make_inner`, on this layer as its transport.
  tls_layer(connection& outer, event_loop& loop, const tls_context& context,
            const std::function<std::unique_ptr<connection_handler>(transport&)>& make_inner);
  ~tls_layer() override;
  tls_layer(const tls_layer&) = delete;
  tls_layer& operator=(const tls_layer&) = delete;

  // connection_handler: the TCP side.
  std::size_t on_data(std::span<char> bytes) override;
  // Before the handshake is done, the HTTP request timeout is the handshake's: it fails.
  void on_timeout() override;
  void on_shutdown() override;
  // Dropped records leave holes in the TLS stream: nothing after them can be read, so the
  // connection is closed at once (the handler is told first, for its metrics and logs).
  void on_slow_consumer() override;
  void on_disconnect() override;

  // transport: the protocol side.
  void send(const shared_bytes& bytes) override;
  void send(std::string bytes) override;
  void send_last(std::string bytes) override;
  [[nodiscard]] bool is_open() const override;
  // Sends close_notify after what is queued, then closes as a plain connection does.
  void close_after_flush() override;
  void close_now() override;
  void start_timer(std::chrono::milliseconds delay) override;
  void cancel_timer() override;
  void replace_handler(std::unique_ptr<connection_handler> handler) override;
  [[nodiscard]] std::chrono::steady_clock::time_point now() const override;
  [[nodiscard]] std::size_t loop_index() const override;
  [[nodiscard]] std::string remote_address() const override;

 private:
  enum class state : std::uint8_t {
    handshake,
    open,
    done,  // failed, closed or broken: no more TLS in either direction
  };
  enum class failure : std::uint8_t { protocol, plain_http, timeout };

  void continue_handshake();
  void fail_handshake(failure why);
  void read_plaintext();
  // Encrypts `plain` as one record and queues it on the connection.
  void encrypt(std::string_view plain, bool last);
  // Queues what OpenSSL wrote (handshake messages, records, alerts, close_notify).
  void send_ciphertext(bool last);
  // Replaces a memory BIO that is empty but holds a large buffer (idle connections stay small).
  void release_large_buffers();
  // Fatal TLS error after the handshake: no alert, no close_notify, just close.
  void break_off(std::string_view what);

  connection& outer_;
  event_loop& loop_;
  SSL* ssl_;            // owns both BIOs
  BIO* ciphertext_;     // what OpenSSL wrote, to be sent (read side: SSL_get_rbio)
  handler_feed inner_;  // gets the plaintext
  state state_ = state::handshake;
};

}  // namespace parley::net
