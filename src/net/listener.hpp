#pragma once

#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>
#include <functional>
#include <memory>

#include "net/connection.hpp"
#include "net/tls_context.hpp"
#include "net/transport.hpp"

namespace parley::net {

class event_loop;

// The endpoint the listeners should share, with port 0 resolved to a free port. Throws
// boost::system::system_error (address in use) when something already listens there: SO_REUSEPORT
// alone would let a second server silently share the port, and port 0 could pick a port that
// another SO_REUSEPORT server of the same user holds.
boost::asio::ip::tcp::endpoint claim_endpoint(const boost::asio::ip::tcp::endpoint& wanted);

// Makes the first handler of each accepted connection (the HTTP handler).
using handler_factory = std::function<std::unique_ptr<connection_handler>(transport&)>;

// Accepts connections for one event loop. Each loop has its own listener on the same port
// (SO_REUSEPORT), so the kernel spreads connections over the loops and no accept crosses threads.
class listener {
 public:
  // Binds and listens; throws boost::system::system_error when the address cannot be bound.
  listener(event_loop& loop, const boost::asio::ip::tcp::endpoint& endpoint,
           handler_factory factory);

  void start();
  // From now on, accepted connections speak TLS with `context` (nullptr: plain TCP). Called on
  // the loop's thread; connections already accepted keep the context they started with.
  void use_tls(shared_tls_context context) { tls_ = std::move(context); }
  [[nodiscard]] boost::asio::ip::tcp::endpoint local_endpoint() const {
    return acceptor_.local_endpoint();
  }

 private:
  void wait_acceptable();
  void accept_ready();

  event_loop& loop_;
  boost::asio::ip::tcp::acceptor acceptor_;
  boost::asio::steady_timer retry_timer_;  // paces accepts after an error (out of descriptors)
  handler_factory factory_;
  shared_tls_context tls_;  // none: plain TCP
};

}  // namespace parley::net
