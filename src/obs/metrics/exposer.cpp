#include "obs/metrics/exposer.hpp"

#include <fmt/format.h>
#include <prometheus/exposer.h>
#include <prometheus/text_serializer.h>

#include <boost/asio/ip/address.hpp>
#include <stdexcept>

#include "obs/metrics/collector.hpp"
#include "obs/metrics/tls_endpoint.hpp"

namespace parley::obs::metrics {

exposer::exposer(const std::string& bind, std::uint16_t port, std::size_t loop_count,
                 const tracing::tracer* tracer, net::shared_tls_context tls,
                 std::chrono::milliseconds tls_request_timeout)
    : collector_(std::make_shared<collector>(loop_count, tracer, tls != nullptr)) {
  // civetweb's address syntax: IPv6 in brackets.
  const bool ipv6 = bind.find(':') != std::string::npos;
  const std::string address =
      ipv6 ? fmt::format("[{}]:{}", bind, port) : fmt::format("{}:{}", bind, port);
  try {
    if (tls) {
      // The loop after the chat loops (0 .. loop_count - 1).
      tls_server_ = std::make_unique<tls_endpoint>(
          boost::asio::ip::tcp::endpoint{boost::asio::ip::make_address(bind), port}, loop_count,
          std::move(tls), tls_request_timeout, [collector = collector_] {
            return prometheus::TextSerializer{}.Serialize(collector->Collect());
          });
      port_ = tls_server_->port();
      return;
    }
    server_ = std::make_unique<prometheus::Exposer>(address, 1);
  } catch (const std::exception& error) {
    throw std::runtime_error(fmt::format("cannot serve metrics on {}: {}", address, error.what()));
  }
  server_->RegisterCollectable(collector_);
  const auto ports = server_->GetListeningPorts();
  port_ = ports.empty() ? port : static_cast<std::uint16_t>(ports.front());
}

exposer::~exposer() = default;

void exposer::use_tls(net::shared_tls_context tls) {
  if (tls_server_) tls_server_->use(std::move(tls));
}

}  // namespace parley::obs::metrics
