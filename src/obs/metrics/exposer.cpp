#include "obs/metrics/exposer.hpp"

#include <fmt/format.h>
#include <prometheus/exposer.h>

#include <stdexcept>

#include "obs/metrics/collector.hpp"

namespace parley::obs::metrics {

exposer::exposer(const std::string& bind, std::uint16_t port, std::size_t loop_count,
                 const tracing::tracer* tracer)
    : collector_(std::make_shared<collector>(loop_count, tracer)) {
  // civetweb's address syntax: IPv6 in brackets.
  const bool ipv6 = bind.find(':') != std::string::npos;
  const std::string address =
      ipv6 ? fmt::format("[{}]:{}", bind, port) : fmt::format("{}:{}", bind, port);
  try {
    server_ = std::make_unique<prometheus::Exposer>(address, 1);
  } catch (const std::exception& error) {
    throw std::runtime_error(fmt::format("cannot serve metrics on {}: {}", address, error.what()));
  }
  server_->RegisterCollectable(collector_);
  const auto ports = server_->GetListeningPorts();
  port_ = ports.empty() ? port : static_cast<std::uint16_t>(ports.front());
}

exposer::~exposer() = default;

}  // namespace parley::obs::metrics
