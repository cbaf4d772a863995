#pragma once

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <memory>

namespace parley::beast_peer {

class shared_state;

// Accepts connections and hands each, on a strand of its own, to an http_session.
class listener : public std::enable_shared_from_this<listener> {
 public:
  // Binds and listens at once (throws on failure); port 0 picks a free port.
  listener(boost::asio::io_context& ioc, const boost::asio::ip::tcp::endpoint& endpoint,
           std::shared_ptr<shared_state> state);

  [[nodiscard]] boost::asio::ip::tcp::endpoint local_endpoint() const;
  void run();

 private:
  void do_accept();
  void on_accept(boost::system::error_code ec, boost::asio::ip::tcp::socket socket);

  boost::asio::io_context& ioc_;
  boost::asio::ip::tcp::acceptor acceptor_;
  std::shared_ptr<shared_state> state_;
};

}  // namespace parley::beast_peer
