#pragma once

#include <chrono>
#include <functional>
#include <memory>
#include <string>
#include <string_view>

#include "net/transport.hpp"

namespace parley::obs::metrics {

struct scrape_parser;

// The HTTP/1.1 side of a connection to the TLS metrics port (our own loop, not civetweb): GET or
// HEAD /metrics gets `render()` in Prometheus text format, any other path 404, any other method
// 405, what does not parse 400 (then the connection closes); requests may follow on one
// connection. Each request, and the TLS handshake before the first, must arrive whole within
// `timeout` of the connection's start or the last answer, or the connection is closed.
class scrape_handler final : public net::connection_handler {
 public:
  scrape_handler(net::transport& transport, std::function<std::string()> render,
                 std::chrono::milliseconds timeout);
  ~scrape_handler() override;

  std::size_t on_data(std::span<char> bytes) override;
  void on_timeout() override { transport_.close_now(); }
  void on_shutdown() override { transport_.close_after_flush(); }
  void on_slow_consumer() override { transport_.close_now(); }
  void on_disconnect() override {}

 private:
  // Answers the request just parsed; false when the connection closes after it.
  bool serve();
  void reject(int status, std::string_view why);

  net::transport& transport_;
  std::function<std::string()> render_;
  std::chrono::milliseconds timeout_;
  std::unique_ptr<scrape_parser> parser_;
};

}  // namespace parley::obs::metrics
