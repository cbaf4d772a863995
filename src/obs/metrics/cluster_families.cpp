#include "obs/metrics/cluster_families.hpp"

#include <limits>
#include <string>

#include "obs/metrics/cluster_metrics.hpp"
#include "obs/metrics/sample.hpp"

namespace parley::obs::metrics {
namespace {

using prometheus::ClientMetric;
using prometheus::MetricFamily;
using prometheus::MetricType;

double loaded(const std::atomic<std::uint64_t>& a) {
  return static_cast<double>(a.load(std::memory_order_relaxed));
}

template <std::size_t N>
ClientMetric histogram_sample(const shared_histogram<N>& h) {
  ClientMetric metric;
  std::uint64_t cumulative = 0;
  for (std::size_t i = 0; i < N; ++i) {
    cumulative += h.bucket(i);
    metric.histogram.bucket.push_back({cumulative, h.bounds()[i]});
  }
  cumulative += h.bucket(N);
  metric.histogram.bucket.push_back({cumulative, std::numeric_limits<double>::infinity()});
  metric.histogram.sample_count = cumulative;
  metric.histogram.sample_sum = h.sum();
  return metric;
}

}  // namespace

void add_cluster_families(std::vector<MetricFamily>& families) {
  const auto& c = cluster_counters();
  if (!c.active.load(std::memory_order_relaxed)) return;
  families.push_back({"parley_cluster_redis_round_trip_seconds",
                      "Seconds from sending one pipeline of Redis commands to its last reply",
                      MetricType::Histogram,
                      {histogram_sample(c.round_trip)}});
  families.push_back({"parley_cluster_redis_pipeline_commands",
                      "Commands in each pipeline sent to Redis (publishes, reads, refreshes)",
                      MetricType::Histogram,
                      {histogram_sample(c.batch_size)}});
  families.push_back(
      {"parley_cluster_reconnects_total",
       "Redis connections made again after one was lost, by role",
       MetricType::Counter,
       {sample(loaded(c.reconnects[static_cast<std::size_t>(redis_role::commander)]),
               {{"role", "commander"}}),
        sample(loaded(c.reconnects[static_cast<std::size_t>(redis_role::subscriber)]),
               {{"role", "subscriber"}})}});
  families.push_back({"parley_cluster_gap_fills_total",
                      "Stream reads for room events a node missed (a PUBLISH it did not receive)",
                      MetricType::Counter,
                      {sample(loaded(c.gap_fills))}});
  families.push_back(
      {"parley_cluster_lease_expiries_total",
       "Users of dead nodes whose leases expired and whose leaves this node published",
       MetricType::Counter,
       {sample(loaded(c.lease_expiries))}});
  families.push_back(
      {"parley_cluster_lease_lapses_total",
       "Times this node found its own lease lapsed and sent its connections away to reconnect",
       MetricType::Counter,
       {sample(loaded(c.lease_lapses))}});
  families.push_back({"parley_cluster_nodes",
                      "Live nodes at the last heartbeat (0: not known yet)",
                      MetricType::Gauge,
                      {sample(static_cast<double>(c.nodes.load(std::memory_order_relaxed)))}});
}

}  // namespace parley::obs::metrics
