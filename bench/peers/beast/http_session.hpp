#pragma once

#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <memory>
#include <optional>

namespace parley::beast_peer {

class shared_state;

// Reads the one HTTP request of a new connection: a WebSocket upgrade to /chat/{name} becomes a
// websocket_session; anything else gets 404 and the connection is closed.
class http_session : public std::enable_shared_from_this<http_session> {
 public:
  http_session(boost::asio::ip::tcp::socket&& socket, std::shared_ptr<shared_state> state);

  void run();

 private:
  void on_read(boost::beast::error_code ec, std::size_t bytes);
  void reject();

  boost::beast::tcp_stream stream_;
  boost::beast::flat_buffer buffer_;
  std::shared_ptr<shared_state> state_;
  std::optional<boost::beast::http::request_parser<boost::beast::http::string_body>> parser_;
  std::shared_ptr<void> response_;  // kept alive while it is written
};

}  // namespace parley::beast_peer
