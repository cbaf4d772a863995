#pragma once

#include <boost/asio/ip/tcp.hpp>
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>

#include "net/tls_context.hpp"

namespace parley::net {
class event_loop;
class listener;
}  // namespace parley::net

namespace parley::obs::metrics {

// /metrics over TLS on an event loop of its own (one thread, so a scrape never waits behind chat
// traffic), through the chat port's TLS code (net::tls_layer). prometheus-cpp's own server,
// civetweb, cannot do TLS as Debian 12 ships it: see SECURITY.md, "The metrics port".
class tls_endpoint {
 public:
  // Binds `wanted` (port 0: any free one) and serves; `loop_index` is the loop's, for its
  // counters (past the chat loops', so the chat port's TLS counts stay its own); each request,
  // the handshake included, has `request_timeout`. Throws boost::system::system_error when the
  // address cannot be bound.
  tls_endpoint(const boost::asio::ip::tcp::endpoint& wanted, std::size_t loop_index,
               net::shared_tls_context context, std::chrono::milliseconds request_timeout,
               std::function<std::string()> render);
  ~tls_endpoint();
  tls_endpoint(const tls_endpoint&) = delete;
  tls_endpoint& operator=(const tls_endpoint&) = delete;

  [[nodiscard]] std::uint16_t port() const { return port_; }

  // New connections use `context`; open ones keep theirs. Any thread.
  void use(net::shared_tls_context context);

 private:
  std::unique_ptr<net::event_loop> loop_;
  std::unique_ptr<net::listener> listener_;  // on loop_; goes before it
  std::uint16_t port_ = 0;
};

}  // namespace parley::obs::metrics
