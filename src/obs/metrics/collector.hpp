#pragma once

#include <prometheus/collectable.h>

#include <cstddef>
#include <vector>

namespace parley::obs::tracing {
class tracer;
}

namespace parley::obs::metrics {

// What a scrape returns: the loops' counts summed, in Prometheus families, plus build info and
// the tracer's own counts. Called on the exporter's thread; reads the loops' counters only.
class collector final : public prometheus::Collectable {
 public:
  // `metrics_tls`: the metrics port is served over TLS by the loop after the chat loops, whose
  // handshakes are counted apart.
  collector(std::size_t loop_count, const tracing::tracer* tracer, bool metrics_tls = false)
      : loop_count_(loop_count), tracer_(tracer), metrics_tls_(metrics_tls) {}

  [[nodiscard]] std::vector<prometheus::MetricFamily> Collect() const override;

 private:
  std::size_t loop_count_;
  const tracing::tracer* tracer_;
  bool metrics_tls_;
};

}  // namespace parley::obs::metrics
