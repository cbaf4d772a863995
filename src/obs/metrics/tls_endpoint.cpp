#include "obs/metrics/tls_endpoint.hpp"

#include "net/event_loop.hpp"
#include "net/listener.hpp"
#include "obs/metrics/scrape_handler.hpp"

namespace parley::obs::metrics {

tls_endpoint::tls_endpoint(const boost::asio::ip::tcp::endpoint& wanted, std::size_t loop_index,
                           net::shared_tls_context context,
                           std::chrono::milliseconds request_timeout,
                           std::function<std::string()> render)
    : loop_(std::make_unique<net::event_loop>(loop_index)) {
  const auto endpoint = net::claim_endpoint(wanted);
  listener_ = std::make_unique<net::listener>(
      *loop_, endpoint, [request_timeout, render = std::move(render)](net::transport& transport) {
        return std::make_unique<scrape_handler>(transport, render, request_timeout);
      });
  listener_->use_tls(std::move(context));
  port_ = endpoint.port();
  listener_->start();
  loop_->start();
}

tls_endpoint::~tls_endpoint() {
  loop_->stop();  // joins its thread: nothing runs on the listener or the connections now
  listener_.reset();
}

void tls_endpoint::use(net::shared_tls_context context) {
  loop_->post([listener = listener_.get(), context = std::move(context)]() mutable {
    listener->use_tls(std::move(context));
  });
}

}  // namespace parley::obs::metrics
