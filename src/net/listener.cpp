#include "net/listener.hpp"

#include <sys/socket.h>

#include <boost/asio/socket_base.hpp>

#include "net/connection.hpp"
#include "net/event_loop.hpp"
#include "obs/log.hpp"

namespace parley::net {
namespace asio = boost::asio;
using reuse_port = asio::detail::socket_option::boolean<SOL_SOCKET, SO_REUSEPORT>;

listener::listener(event_loop& loop, const asio::ip::tcp::endpoint& endpoint,
                   handler_factory factory)
    : loop_(loop), acceptor_(loop.context()), factory_(std::move(factory)) {
  acceptor_.open(endpoint.protocol());
  acceptor_.set_option(asio::socket_base::reuse_address(true));
  acceptor_.set_option(reuse_port(true));
  acceptor_.bind(endpoint);
  acceptor_.listen(asio::socket_base::max_listen_connections);
}

void listener::start() {
  do_accept();
}

void listener::stop() {
  boost::system::error_code ec;
  acceptor_.close(ec);
}

void listener::do_accept() {
  acceptor_.async_accept(loop_.context(),
                         [this](boost::system::error_code ec, asio::ip::tcp::socket socket) {
                           if (ec == asio::error::operation_aborted || !acceptor_.is_open()) return;
                           if (ec) {
                             // Out of file descriptors and the like: say so, keep accepting.
                             obs::net_log().warn("accept failed: {}", ec.message());
                           } else {
                             auto conn = std::make_shared<connection>(loop_, std::move(socket));
                             conn->start(factory_(*conn));
                           }
                           do_accept();
                         });
}

}  // namespace parley::net
