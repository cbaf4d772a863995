#include "websocket_session.hpp"

#include <fmt/core.h>

#include "shared_state.hpp"

namespace parley::beast_peer {

namespace beast = boost::beast;
namespace net = boost::asio;
namespace websocket = beast::websocket;

websocket_session::websocket_session(net::ip::tcp::socket&& socket,
                                     std::shared_ptr<shared_state> state, chat_user user)
    : ws_(std::move(socket)), state_(std::move(state)), user_(std::move(user)) {}

websocket_session::~websocket_session() {
  if (joined_) state_->leave(user_.name, *this);
}

void websocket_session::run(beast::http::request<beast::http::string_body> request) {
  // The websocket stream has its own timeouts (handshake, idle with pings) from here on.
  beast::get_lowest_layer(ws_).expires_never();
  ws_.set_option(websocket::stream_base::timeout::suggested(beast::role_type::server));
  ws_.text(true);
  ws_.async_accept(request,
                   beast::bind_front_handler(&websocket_session::on_accept, shared_from_this()));
}

void websocket_session::on_accept(beast::error_code ec) {
  if (ec) return fail(ec, "accept");
  auto notice = user_.age.empty()
                    ? fmt::format("{} connected to chat", user_.name)
                    : fmt::format("{} with age {} connected to chat", user_.name, user_.age);
  if (!state_->join(user_.name, *this, std::move(notice))) {
    ws_.async_close({websocket::close_code::unknown_data, "Username already exists."},
                    [self = shared_from_this()](beast::error_code) {});
    return;
  }
  joined_ = true;
  // We run on our strand, so the greeting is queued before any broadcast posted to us by now.
  on_send(std::make_shared<const std::string>(
      fmt::format("Hi {}! You have successfully connected to the chat", user_.name)));
  do_read();
}

void websocket_session::do_read() {
  ws_.async_read(buffer_,
                 beast::bind_front_handler(&websocket_session::on_read, shared_from_this()));
}

void websocket_session::on_read(beast::error_code ec, std::size_t) {
  if (ec) return fail(ec, "read");
  if (ws_.got_text()) state_->send(user_.name + ": " + beast::buffers_to_string(buffer_.data()));
  buffer_.consume(buffer_.size());  // binary messages are ignored, as the Node peer does
  do_read();
}

void websocket_session::send(const std::shared_ptr<const std::string>& message) {
  // Hop onto our strand: the queue and the stream are only touched there.
  net::post(ws_.get_executor(),
            beast::bind_front_handler(&websocket_session::on_send, shared_from_this(), message));
}

void websocket_session::on_send(const std::shared_ptr<const std::string>& message) {
  queue_.push_back(message);
  if (queue_.size() > 1) return;  // a write is in flight; on_write starts the next
  do_write();
}

void websocket_session::do_write() {
  ws_.async_write(net::buffer(*queue_.front()),
                  beast::bind_front_handler(&websocket_session::on_write, shared_from_this()));
}

void websocket_session::on_write(beast::error_code ec, std::size_t) {
  if (ec) return fail(ec, "write");
  queue_.pop_front();
  if (!queue_.empty()) do_write();
}

void websocket_session::fail(beast::error_code ec, const char* what) {
  // A client leaving (close frame, reset, EOF) or our own cancellation is the normal end.
  if (ec == net::error::operation_aborted || ec == websocket::error::closed ||
      ec == net::error::eof || ec == net::error::connection_reset ||
      ec == net::error::broken_pipe || ec == beast::error::timeout) {
    return;
  }
  fmt::print(stderr, "{}: {}\n", what, ec.message());
}

}  // namespace parley::beast_peer
