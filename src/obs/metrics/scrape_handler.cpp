#include "obs/metrics/scrape_handler.hpp"

#include <boost/asio/buffer.hpp>
#include <boost/beast/http/error.hpp>
#include <boost/beast/http/parser.hpp>
#include <boost/beast/http/string_body.hpp>

#include "http/response.hpp"

namespace parley::obs::metrics {
namespace beast = boost::beast;

// A scrape is a bare GET: a head larger than this, or any body, is not one.
constexpr std::size_t k_max_header_bytes = std::size_t{8} * 1024;
constexpr std::size_t k_max_body_bytes = 0;

struct scrape_parser {
  scrape_parser() {
    parser.header_limit(k_max_header_bytes);
    parser.body_limit(k_max_body_bytes);
    parser.eager(true);
  }
  beast::http::request_parser<beast::http::string_body> parser;
};

scrape_handler::scrape_handler(net::transport& transport, std::function<std::string()> render,
                               std::chrono::milliseconds timeout)
    : transport_(transport),
      render_(std::move(render)),
      timeout_(timeout),
      parser_(std::make_unique<scrape_parser>()) {
  transport_.start_timer(timeout_);
}

scrape_handler::~scrape_handler() = default;

std::size_t scrape_handler::on_data(std::span<char> bytes) {
  std::size_t used = 0;
  while (used < bytes.size()) {
    if (!transport_.is_open()) return bytes.size();
    beast::error_code ec;
    used += parser_->parser.put(boost::asio::buffer(bytes.data() + used, bytes.size() - used), ec);
    if (ec == beast::http::error::need_more) return used;
    if (ec) {
      reject(400, ec.message());
      return bytes.size();
    }
    if (!parser_->parser.is_done()) continue;
    if (!serve()) return bytes.size();
    parser_ = std::make_unique<scrape_parser>();
    transport_.start_timer(timeout_);  // the next request's time, from this answer
  }
  return used;
}

bool scrape_handler::serve() {
  const auto& request = parser_->parser.get();
  const std::string_view target = request.target();
  const std::string_view method = request.method_string();
  http::response answer;
  answer.keep_alive = request.keep_alive();
  answer.head_only = method == "HEAD";
  if (method != "GET" && method != "HEAD") {
    answer.status = 405;
    answer.body = "Method Not Allowed\n";
    answer.headers = {{"Allow", "GET, HEAD"}};
  } else if (target.substr(0, target.find('?')) != "/metrics") {
    answer.status = 404;
    answer.body = "Not Found\n";
  } else {
    answer.content_type = "text/plain; version=0.0.4; charset=utf-8";
    answer.body = render_();
  }
  transport_.send(http::serialize(answer));
  if (answer.keep_alive) return true;
  transport_.close_after_flush();
  return false;
}

void scrape_handler::reject(int status, std::string_view why) {
  http::response answer;
  answer.status = status;
  answer.body = std::string(http::reason_phrase(status)) + ": " + std::string(why) + "\n";
  answer.keep_alive = false;
  transport_.send(http::serialize(answer));
  transport_.close_after_flush();
}

}  // namespace parley::obs::metrics
