#pragma once

#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/websocket.hpp>
#include <deque>
#include <memory>
#include <string>

#include "chat_target.hpp"

namespace parley::beast_peer {

class shared_state;

// One chat member: reads messages into the room, writes the room's broadcasts one at a time.
class websocket_session : public std::enable_shared_from_this<websocket_session> {
 public:
  websocket_session(boost::asio::ip::tcp::socket&& socket, std::shared_ptr<shared_state> state,
                    chat_user user);
  ~websocket_session();

  // Accepts the WebSocket upgrade in `request` and starts the session.
  void run(boost::beast::http::request<boost::beast::http::string_body> request);

  // Queues `message` for sending; safe from any thread.
  void send(const std::shared_ptr<const std::string>& message);

 private:
  void on_accept(boost::beast::error_code ec);
  void do_read();
  void on_read(boost::beast::error_code ec, std::size_t bytes);
  void on_send(const std::shared_ptr<const std::string>& message);
  void do_write();
  void on_write(boost::beast::error_code ec, std::size_t bytes);
  void fail(boost::beast::error_code ec, const char* what);

  boost::beast::websocket::stream<boost::beast::tcp_stream> ws_;
  boost::beast::flat_buffer buffer_;  // the message being read
  std::shared_ptr<shared_state> state_;
  chat_user user_;
  bool joined_ = false;  // whether the room holds user_.name for us
  // Broadcasts waiting their turn; the front one is being written. A deque (the example uses a
  // vector) so that taking the front stays O(1) when a client falls far behind.
  std::deque<std::shared_ptr<const std::string>> queue_;
};

}  // namespace parley::beast_peer
