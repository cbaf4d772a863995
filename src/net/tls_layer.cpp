#include "net/tls_layer.hpp"

#include <openssl/buffer.h>
#include <openssl/err.h>
#include <openssl/ssl.h>

#include <climits>

#include "net/connection.hpp"
#include "net/event_loop.hpp"
#include "obs/log.hpp"

namespace parley::net {
namespace {

// What a plain-HTTP request to the TLS port gets (as nginx does), in plain text, before the close.
constexpr std::string_view k_plain_http_answer =
    "HTTP/1.1 400 Bad Request\r\n"
    "Content-Type: text/plain; charset=utf-8\r\n"
    "Content-Length: 45\r\n"
    "Connection: close\r\n"
    "\r\n"
    "This port speaks TLS: use https:// or wss://\n";

// A memory BIO never shrinks its buffer: one emptied after holding more than this is replaced,
// so a connection that once took or sent a big message does not keep its buffer while idle.
constexpr std::size_t k_keep_bio_buffer = 4096;

BIO* new_read_bio() {
  BIO* bio = BIO_new(BIO_s_mem());
  if (bio != nullptr) BIO_set_mem_eof_return(bio, -1);  // empty: "want more", not end of stream
  return bio;
}

// Whether `bio` holds nothing now but keeps a large buffer.
bool empty_and_large(BIO* bio) {
  if (BIO_ctrl_pending(bio) != 0) return false;
  BUF_MEM* memory = nullptr;
  BIO_get_mem_ptr(bio, &memory);
  return memory != nullptr && memory->max > k_keep_bio_buffer;
}

// The reason of the first error in OpenSSL's queue, which is then emptied (it is per thread:
// left there, it would be blamed on the next connection of the loop).
std::string take_openssl_error() {
  const unsigned long code = ERR_peek_error();
  std::string text = code == 0                                  ? "connection closed"
                     : ERR_reason_error_string(code) == nullptr ? std::to_string(code)
                                                                : ERR_reason_error_string(code);
  ERR_clear_error();
  return text;
}

}  // namespace

tls_layer::tls_layer(
    connection& outer, event_loop& loop, const tls_context& context,
    const std::function<std::unique_ptr<connection_handler>(transport&)>& make_inner)
    : outer_(outer), loop_(loop), ssl_(SSL_new(context.native())), ciphertext_(nullptr) {
  if (ssl_ == nullptr) {
    state_ = state::done;  // out of memory: the first data closes it
  } else {
    ciphertext_ = BIO_new(BIO_s_mem());
    SSL_set_bio(ssl_, new_read_bio(), ciphertext_);
    SSL_set_accept_state(ssl_);
  }
  // Its timer (the request timeout) is the handshake's timeout too.
  inner_.set(make_inner(*this));
}

tls_layer::~tls_layer() {
  inner_.reset();  // it may still use its transport while it goes
  SSL_free(ssl_);
}

std::size_t tls_layer::on_data(std::span<char> bytes) {
  if (state_ == state::done) {
    outer_.close_now();
    return bytes.size();
  }
  // Into the read BIO at once: the bytes are in the loop's receive buffer, which read_plaintext
  // then reuses for the plaintext. (All of them are taken, so the connection keeps no leftover.)
  BIO* received = SSL_get_rbio(ssl_);
  for (std::size_t offset = 0; offset < bytes.size();) {
    const int chunk = static_cast<int>(std::min<std::size_t>(bytes.size() - offset, INT_MAX));
    const int written = BIO_write(received, bytes.data() + offset, chunk);
    if (written <= 0) {
      break_off("out of memory");
      return bytes.size();
    }
    offset += static_cast<std::size_t>(written);
  }
  if (state_ == state::handshake) continue_handshake();
  if (state_ == state::open) read_plaintext();
  if (state_ != state::done) release_large_buffers();
  return bytes.size();
}

void tls_layer::release_large_buffers() {
  if (empty_and_large(SSL_get_rbio(ssl_))) {
    if (BIO* fresh = new_read_bio()) SSL_set0_rbio(ssl_, fresh);  // frees the old one
  }
  if (empty_and_large(ciphertext_)) {
    if (BIO* fresh = BIO_new(BIO_s_mem())) {
      SSL_set0_wbio(ssl_, fresh);
      ciphertext_ = fresh;
    }
  }
}

void tls_layer::continue_handshake() {
  ERR_clear_error();
  const int result = SSL_do_handshake(ssl_);
  if (result == 1) {
    state_ = state::open;
    loop_.metrics().tls_handshakes_ok.add();
    send_ciphertext(false);  // the server's Finished, TLS 1.3 session tickets
    return;
  }
  if (SSL_get_error(ssl_, result) == SSL_ERROR_WANT_READ) {
    send_ciphertext(false);  // ServerHello ... : the client answers, then we go on
    return;
  }
  const unsigned long error = ERR_peek_error();
  const bool plain_http =
      ERR_GET_LIB(error) == ERR_LIB_SSL && (ERR_GET_REASON(error) == SSL_R_HTTP_REQUEST ||
                                            ERR_GET_REASON(error) == SSL_R_HTTPS_PROXY_REQUEST);
  fail_handshake(plain_http ? failure::plain_http : failure::protocol);
}

void tls_layer::fail_handshake(failure why) {
  const auto reason = why == failure::timeout ? std::string("timeout") : take_openssl_error();
  obs::net_log().info("TLS handshake failed from {}: {}", outer_.remote_address(), reason);
  auto& metrics = loop_.metrics();
  metrics.tls_handshake_failures[static_cast<std::size_t>(why)].add();
  state_ = state::done;
  if (why == failure::timeout) {
    outer_.close_now();
    return;
  }
  if (why == failure::plain_http) {
    outer_.send(std::string(k_plain_http_answer));
  } else {
    send_ciphertext(false);  // the alert that says why, if OpenSSL wrote one
  }
  outer_.close_after_flush();
}

void tls_layer::read_plaintext() {
  const auto buffer = loop_.receive_buffer();
  while (state_ == state::open && outer_.is_open()) {
    std::size_t size = 0;
    ERR_clear_error();
    if (SSL_read_ex(ssl_, buffer.data(), buffer.size(), &size) == 1) {
      inner_.deliver(buffer.first(size), [this] { return is_open(); });
      continue;
    }
    const int error = SSL_get_error(ssl_, 0);
    if (error == SSL_ERROR_WANT_READ) break;
    if (error == SSL_ERROR_ZERO_RETURN) {  // the peer's close_notify: answer it and close
      close_after_flush();
      break;
    }
    break_off(take_openssl_error());
    return;
  }
  if (state_ == state::open) send_ciphertext(false);  // a KeyUpdate's answer, if any
}

void tls_layer::send(const shared_bytes& bytes) {
  if (outer_.is_open()) encrypt(*bytes, false);
}

void tls_layer::send(std::string bytes) {
  if (outer_.is_open()) encrypt(bytes, false);
}

void tls_layer::send_last(std::string bytes) {
  encrypt(bytes, true);
}

void tls_layer::encrypt(std::string_view plain, bool last) {
  if (state_ != state::open || plain.empty()) return;
  std::size_t written = 0;
  ERR_clear_error();
  // A memory BIO takes everything: the write is whole, never partial, never "want write".
  if (SSL_write_ex(ssl_, plain.data(), plain.size(), &written) != 1) {
    break_off(take_openssl_error());
    return;
  }
  send_ciphertext(last);
}

void tls_layer::send_ciphertext(bool last) {
  const std::size_t pending = BIO_ctrl_pending(ciphertext_);
  if (pending == 0) return;
  std::string bytes(pending, '\0');
  BIO_read(ciphertext_, bytes.data(), static_cast<int>(pending));
  if (last) {
    outer_.send_last(std::move(bytes));
  } else {
    outer_.send(std::move(bytes));
  }
  if (pending > k_keep_bio_buffer && state_ != state::done) release_large_buffers();
}

void tls_layer::break_off(std::string_view what) {
  obs::net_log().info("TLS error from {}: {}; closing", outer_.remote_address(), what);
  state_ = state::done;
  outer_.close_now();
}

bool tls_layer::is_open() const {
  return state_ != state::done && outer_.is_open();
}

void tls_layer::close_after_flush() {
  if (state_ == state::open) {
    ERR_clear_error();
    SSL_shutdown(ssl_);  // queues close_notify; the peer's is not waited for
    ERR_clear_error();
    send_ciphertext(true);  // small and final: queued even above the output limits
  }
  state_ = state::done;
  outer_.close_after_flush();
}

void tls_layer::close_now() {
  state_ = state::done;
  outer_.close_now();
}

void tls_layer::on_timeout() {
  if (state_ == state::handshake) {
    fail_handshake(failure::timeout);
  } else {
    inner_->on_timeout();
  }
}

void tls_layer::on_shutdown() {
  if (state_ == state::handshake) {
    close_now();
  } else {
    inner_->on_shutdown();
  }
}

void tls_layer::on_slow_consumer() {
  state_ = state::done;  // its close frame could not be read after the dropped records anyway
  inner_->on_slow_consumer();
  outer_.close_now();
}

void tls_layer::on_disconnect() {
  state_ = state::done;
  inner_->on_disconnect();
}

void tls_layer::start_timer(std::chrono::milliseconds delay) {
  outer_.start_timer(delay);
}

void tls_layer::cancel_timer() {
  outer_.cancel_timer();
}

void tls_layer::replace_handler(std::unique_ptr<connection_handler> handler) {
  outer_.count_as_upgraded();
  inner_.set(std::move(handler));
}

std::chrono::steady_clock::time_point tls_layer::now() const {
  return outer_.now();
}

std::size_t tls_layer::loop_index() const {
  return outer_.loop_index();
}

std::string tls_layer::remote_address() const {
  return outer_.remote_address();
}

}  // namespace parley::net
