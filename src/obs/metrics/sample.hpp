#pragma once

#include <prometheus/client_metric.h>

#include <utility>
#include <vector>

namespace parley::obs::metrics {

// One sample of a counter or a gauge family (prometheus-cpp reads the field of the family's
// type), with its labels.
inline prometheus::ClientMetric sample(double value,
                                       std::vector<prometheus::ClientMetric::Label> labels = {}) {
  prometheus::ClientMetric metric;
  metric.label = std::move(labels);
  metric.counter.value = value;
  metric.gauge.value = value;
  return metric;
}

}  // namespace parley::obs::metrics
