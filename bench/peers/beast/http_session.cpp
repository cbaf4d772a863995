#include "http_session.hpp"

#include <boost/beast/websocket.hpp>
#include <chrono>

#include "chat_target.hpp"
#include "websocket_session.hpp"

namespace parley::beast_peer {

namespace beast = boost::beast;
namespace http = beast::http;
namespace net = boost::asio;

http_session::http_session(net::ip::tcp::socket&& socket, std::shared_ptr<shared_state> state)
    : stream_(std::move(socket)), state_(std::move(state)) {}

void http_session::run() {
  parser_.emplace();
  parser_->body_limit(16 * 1024);
  stream_.expires_after(std::chrono::seconds(30));
  http::async_read(stream_, buffer_, *parser_,
                   beast::bind_front_handler(&http_session::on_read, shared_from_this()));
}

void http_session::on_read(beast::error_code ec, std::size_t) {
  if (ec) return;  // the client went away or timed out before a whole request
  auto request = parser_->release();
  auto user = parse_chat_target(request.target());
  if (!beast::websocket::is_upgrade(request) || !user) return reject();
  std::make_shared<websocket_session>(stream_.release_socket(), state_, std::move(*user))
      ->run(std::move(request));
}

void http_session::reject() {
  auto response = std::make_shared<http::response<http::string_body>>(http::status::not_found, 11);
  response->keep_alive(false);
  response->body() = "Not Found";
  response->prepare_payload();
  response_ = response;
  http::async_write(stream_, *response,
                    [self = shared_from_this()](beast::error_code, std::size_t) {
                      beast::error_code ignored;
                      self->stream_.socket().shutdown(net::ip::tcp::socket::shutdown_send, ignored);
                    });
}

}  // namespace parley::beast_peer
