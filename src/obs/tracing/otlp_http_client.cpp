#include "obs/tracing/otlp_http_client.hpp"

#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/beast/http/write.hpp>
#include <string_view>

namespace parley::obs::tracing {
namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;

// A collector answers an export with a small status; more than this is not read.
constexpr std::size_t k_max_response_bytes = std::size_t{64} * 1024;

struct otlp_http_client::impl {
  explicit impl(http_endpoint where) : endpoint(std::move(where)) {}

  // Runs one asynchronous operation to completion on this thread; the stream's expiry bounds it.
  template <class Start>
  beast::error_code run(Start start) {
    beast::error_code result = asio::error::would_block;
    start([&result](beast::error_code ec, auto&&...) { result = ec; });
    context.restart();
    context.run();
    return result;
  }

  beast::error_code connect(std::chrono::steady_clock::time_point deadline) {
    beast::error_code ec;
    tcp::resolver resolver(context);
    const auto addresses = resolver.resolve(endpoint.host, std::to_string(endpoint.port), ec);
    if (ec) return ec;
    stream.expires_at(deadline);
    ec = run([&](auto handler) { stream.async_connect(addresses, std::move(handler)); });
    connected = !ec;
    return ec;
  }

  void disconnect() {
    beast::error_code ignored;
    stream.socket().shutdown(tcp::socket::shutdown_both, ignored);
    stream.close();
    connected = false;
  }

  // One request/response exchange on the open connection.
  post_result exchange(const http::request<http::string_body>& request,
                       std::chrono::steady_clock::time_point deadline, bool& retryable) {
    retryable = false;
    stream.expires_at(deadline);
    auto ec = run([&](auto handler) { http::async_write(stream, request, std::move(handler)); });
    if (ec) {
      disconnect();
      retryable = true;
      return {false, "sending: " + ec.message()};
    }
    beast::flat_buffer buffer;
    http::response_parser<http::string_body> parser;
    parser.body_limit(k_max_response_bytes);
    ec = run([&](auto handler) { http::async_read(stream, buffer, parser, std::move(handler)); });
    if (ec) {
      disconnect();
      // The collector closed a kept connection before answering: it never saw the request.
      retryable = ec == http::error::end_of_stream || ec == asio::error::connection_reset;
      return {false, "reading the response: " + ec.message()};
    }
    const auto& response = parser.get();
    if (!response.keep_alive()) disconnect();
    const unsigned status = response.result_int();
    if (status >= 200 && status < 300) return {true, {}};
    std::string problem = "HTTP " + std::to_string(status);
    if (!response.body().empty()) problem += ": " + response.body().substr(0, 200);
    return {false, std::move(problem)};
  }

  http_endpoint endpoint;
  asio::io_context context{1};
  beast::tcp_stream stream{context};
  bool connected = false;
};

otlp_http_client::otlp_http_client(http_endpoint endpoint)
    : impl_(std::make_unique<impl>(std::move(endpoint))) {}

otlp_http_client::~otlp_http_client() = default;

post_result otlp_http_client::post_json(std::string body,
                                        std::chrono::steady_clock::time_point deadline) {
  http::request<http::string_body> request{http::verb::post, impl_->endpoint.target, 11};
  request.set(http::field::host, impl_->endpoint.host_header);
  request.set(http::field::user_agent, "parley");
  request.set(http::field::content_type, "application/json");
  request.keep_alive(true);
  request.body() = std::move(body);
  request.prepare_payload();

  for (int attempt = 0; attempt < 2; ++attempt) {
    const bool reused = impl_->connected;
    if (!reused) {
      if (const auto ec = impl_->connect(deadline)) {
        impl_->disconnect();
        return {false, "connecting to " + impl_->endpoint.host_header + ": " + ec.message()};
      }
    }
    bool retryable = false;
    auto result = impl_->exchange(request, deadline, retryable);
    if (result.ok || !(reused && retryable)) return result;
  }
  return {false, "the collector closed the connection twice"};
}

}  // namespace parley::obs::tracing
