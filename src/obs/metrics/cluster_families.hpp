#pragma once

#include <prometheus/metric_family.h>

#include <vector>

namespace parley::obs::metrics {

// Adds cluster mode's families (cluster_metrics.hpp) to a scrape; none unless cluster.redis is set.
void add_cluster_families(std::vector<prometheus::MetricFamily>& families);

}  // namespace parley::obs::metrics
