#include "listener.hpp"

#include <fmt/core.h>

#include <boost/asio/strand.hpp>
#include <boost/beast/core/bind_handler.hpp>

#include "http_session.hpp"

namespace parley::beast_peer {

namespace net = boost::asio;
using tcp = net::ip::tcp;

listener::listener(net::io_context& ioc, const tcp::endpoint& endpoint,
                   std::shared_ptr<shared_state> state)
    : ioc_(ioc), acceptor_(ioc), state_(std::move(state)) {
  acceptor_.open(endpoint.protocol());
  acceptor_.set_option(net::socket_base::reuse_address(true));
  acceptor_.bind(endpoint);
  acceptor_.listen(net::socket_base::max_listen_connections);
}

tcp::endpoint listener::local_endpoint() const {
  return acceptor_.local_endpoint();
}

void listener::run() {
  do_accept();
}

void listener::do_accept() {
  acceptor_.async_accept(net::make_strand(ioc_), boost::beast::bind_front_handler(
                                                     &listener::on_accept, shared_from_this()));
}

void listener::on_accept(boost::system::error_code ec, tcp::socket socket) {
  if (ec) {
    if (ec == net::error::operation_aborted) return;
    fmt::print(stderr, "accept: {}\n", ec.message());  // e.g. out of file descriptors
  } else {
    std::make_shared<http_session>(std::move(socket), state_)->run();
  }
  do_accept();
}

}  // namespace parley::beast_peer
