#include "net/listener.hpp"

#include <sys/socket.h>

#include <boost/asio/io_context.hpp>
#include <boost/asio/socket_base.hpp>
#include <cerrno>
#include <cstring>

#include "net/connection.hpp"
#include "net/event_loop.hpp"
#include "net/tls_layer.hpp"
#include "obs/log.hpp"

namespace parley::net {
namespace asio = boost::asio;
using reuse_port = asio::detail::socket_option::boolean<SOL_SOCKET, SO_REUSEPORT>;

// After a failed accept (typically EMFILE), wait before the next try instead of spinning.
constexpr std::chrono::milliseconds k_accept_retry_delay{100};
// Accepts per readiness event before the loop serves its other connections again.
constexpr int k_accepts_per_wakeup = 256;

// accept4 errors that concern only the one connection (it was reset while waiting, or Linux
// passed on a pending network error, see accept(2)): take the next one.
bool gone_before_accepted(int error) {
  switch (error) {
    case EINTR:
    case ECONNABORTED:
    case EPROTO:
    case ENETDOWN:
    case ENOPROTOOPT:
    case EHOSTDOWN:
    case ENONET:
    case EHOSTUNREACH:
    case EOPNOTSUPP:
    case ENETUNREACH:
      return true;
    default:
      return false;
  }
}

asio::ip::tcp::endpoint claim_endpoint(const asio::ip::tcp::endpoint& wanted) {
  // A plain socket (no SO_REUSEPORT) binds only where no one listens; it is closed again at once
  // and the event loops' listeners take its port.
  asio::io_context context;
  asio::ip::tcp::acceptor probe(context);
  probe.open(wanted.protocol());
  probe.set_option(asio::socket_base::reuse_address(true));  // TIME_WAIT leftovers are fine
  probe.bind(wanted);
  return probe.local_endpoint();
}

listener::listener(event_loop& loop, const asio::ip::tcp::endpoint& endpoint,
                   handler_factory factory)
    : loop_(loop),
      acceptor_(loop.context()),
      retry_timer_(loop.context()),
      factory_(std::move(factory)) {
  acceptor_.open(endpoint.protocol());
  acceptor_.set_option(asio::socket_base::reuse_address(true));
  acceptor_.set_option(reuse_port(true));
  acceptor_.bind(endpoint);
  acceptor_.listen(asio::socket_base::max_listen_connections);
}

void listener::start() {
  acceptor_.non_blocking(true);
  wait_acceptable();
}

void listener::wait_acceptable() {
  acceptor_.async_wait(asio::socket_base::wait_read, [this](boost::system::error_code ec) {
    if (ec == asio::error::operation_aborted || !acceptor_.is_open()) return;
    accept_ready();
  });
}

void listener::accept_ready() {
  // Everything waiting, not one per loop turn: a turn can be long (thousands of writes while a
  // crowd joins), and one accept per turn would leave the backlog to overflow.
  for (int i = 0; i < k_accepts_per_wakeup; ++i) {
    // A plain descriptor, not an Asio socket: the connection watches it in the loop's epoll set.
    const int fd =
        ::accept4(acceptor_.native_handle(), nullptr, nullptr, SOCK_NONBLOCK | SOCK_CLOEXEC);
    if (fd < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) break;
    if (fd < 0 && gone_before_accepted(errno)) continue;
    if (fd < 0) {
      obs::net_log().warn("accept failed: {}; retrying in {} ms", std::strerror(errno),
                          k_accept_retry_delay.count());
      retry_timer_.expires_after(k_accept_retry_delay);
      retry_timer_.async_wait([this](boost::system::error_code wait_ec) {
        if (!wait_ec && acceptor_.is_open()) wait_acceptable();
      });
      return;
    }
    auto conn = std::make_shared<connection>(loop_, fd);
    if (tls_) {
      conn->start(std::make_unique<tls_layer>(*conn, loop_, *tls_, factory_));
    } else {
      conn->start(factory_(*conn));
    }
  }
  wait_acceptable();
}

}  // namespace parley::net
