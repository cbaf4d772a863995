#pragma once

#include <chrono>
#include <memory>
#include <string_view>

#include "net/transport.hpp"

namespace parley::http {

struct site;
struct request_parser;

// The HTTP/1.1 side of a connection: parses requests (Beast's parser), answers static files,
// health probes and errors, and on a WebSocket upgrade hands the connection to a ws::session.
// A connection that has not completed a request within the handshake timeout is closed.
class request_handler final : public net::connection_handler {
 public:
  request_handler(net::transport& transport, site& site);
  ~request_handler() override;

  std::size_t on_data(std::span<char> bytes) override;
  void on_timeout() override;
  void on_shutdown() override;
  void on_slow_consumer() override;
  void on_disconnect() override {}

 private:
  // Answers the request just parsed; false when the connection no longer takes requests.
  bool serve();
  void reject(int status, std::string_view why);
  // The access log's line for a WebSocket upgrade request, whatever its answer.
  void log_upgrade(std::string_view path, int status) const;
  // Counts the answer to the current request (and the rejection, for 4xx statuses).
  void count(int status);

  net::transport& transport_;
  site& site_;
  std::unique_ptr<request_parser> parser_;
  bool request_began_ = false;  // bytes of the current request have arrived
  bool answered_any_ = false;   // a request was answered: a timeout now is a keep-alive's idle end
  std::chrono::steady_clock::time_point request_started_{};
};

}  // namespace parley::http
