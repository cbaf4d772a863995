#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <string>

#include "net/tls_context.hpp"

namespace prometheus {
class Exposer;
}

namespace parley::obs::tracing {
class tracer;
}

namespace parley::obs::metrics {

class collector;
class tls_endpoint;

// Serves /metrics in Prometheus text format on its own port and threads, so a scrape never waits
// behind chat traffic: plain HTTP with prometheus-cpp's server (civetweb), TLS with our own
// (tls_endpoint), as civetweb's TLS does not work with Debian 12's OpenSSL 3.
class exposer {
 public:
  // Binds `bind:port` (port 0: any free one), serving https:// only when `tls` is set (each
  // request, handshake included, within `tls_request_timeout`), plain http:// otherwise; throws
  // std::exception with a clear message.
  exposer(const std::string& bind, std::uint16_t port, std::size_t loop_count,
          const tracing::tracer* tracer, net::shared_tls_context tls = nullptr,
          std::chrono::milliseconds tls_request_timeout = std::chrono::seconds(10));
  ~exposer();

  [[nodiscard]] std::uint16_t port() const { return port_; }
  [[nodiscard]] bool tls() const { return tls_server_ != nullptr; }

  // A reloaded certificate for the next handshakes; nothing when the port is plain. Any thread.
  void use_tls(net::shared_tls_context tls);

 private:
  std::shared_ptr<collector> collector_;
  std::unique_ptr<prometheus::Exposer> server_;  // plain HTTP
  std::unique_ptr<tls_endpoint> tls_server_;     // or TLS
  std::uint16_t port_ = 0;
};

}  // namespace parley::obs::metrics
