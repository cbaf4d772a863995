#pragma once

#include <cstdint>
#include <memory>
#include <string>

namespace prometheus {
class Exposer;
}

namespace parley::obs::tracing {
class tracer;
}

namespace parley::obs::metrics {

class collector;

// Serves /metrics in Prometheus text format on its own port (prometheus-cpp's HTTP server, its
// own threads), so a scrape never waits behind chat traffic.
class exposer {
 public:
  // Binds `bind:port` (port 0: any free one); throws std::exception with a clear message.
  exposer(const std::string& bind, std::uint16_t port, std::size_t loop_count,
          const tracing::tracer* tracer);
  ~exposer();

  [[nodiscard]] std::uint16_t port() const { return port_; }

 private:
  std::shared_ptr<collector> collector_;
  std::unique_ptr<prometheus::Exposer> server_;
  std::uint16_t port_ = 0;
};

}  // namespace parley::obs::metrics
