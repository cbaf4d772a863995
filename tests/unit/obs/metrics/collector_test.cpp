#include "obs/metrics/collector.hpp"

#include <gtest/gtest.h>
#include <prometheus/metric_family.h>

#include <cmath>
#include <stdexcept>
#include <string>

#include "obs/metrics/loop_metrics.hpp"

namespace parley::obs::metrics {
namespace {

using prometheus::ClientMetric;
using prometheus::MetricFamily;

const MetricFamily& find(const std::vector<MetricFamily>& families, const std::string& name) {
  for (const auto& family : families) {
    if (family.name == name) return family;
  }
  throw std::runtime_error("no family " + name);
}

// The value of the sample whose labels include `label` = `wanted` (any sample when empty).
double value_of(const std::vector<MetricFamily>& families, const std::string& name,
                const std::string& label = {}, const std::string& wanted = {}) {
  for (const auto& metric : find(families, name).metric) {
    if (label.empty()) return metric.counter.value;
    for (const auto& pair : metric.label) {
      if (pair.name == label && pair.value == wanted) return metric.counter.value;
    }
  }
  return 0;
}

// Other tests in this binary count too (the counters are global): compare before and after.
TEST(metrics_collector, sums_every_loops_counters) {
  const collector scraper(3, nullptr);
  const auto before = scraper.Collect();
  for_loop(0).messages_delivered.add(5);
  for_loop(2).messages_delivered.add(7);
  for_loop(1).count_close(1000);
  for_loop(2).count_close(1000);
  for_loop(2).count_close(4000);
  for_loop(0).count_rejection(rejection::ws_invalid_utf8);
  const auto after = scraper.Collect();

  EXPECT_EQ(value_of(after, "parley_messages_delivered_total") -
                value_of(before, "parley_messages_delivered_total"),
            12);
  EXPECT_EQ(value_of(after, "parley_websocket_closes_total", "code", "1000") -
                value_of(before, "parley_websocket_closes_total", "code", "1000"),
            2);
  EXPECT_EQ(value_of(after, "parley_websocket_closes_total", "code", "other") -
                value_of(before, "parley_websocket_closes_total", "code", "other"),
            1);
  EXPECT_EQ(value_of(after, "parley_rejected_inputs_total", "reason", "ws_invalid_utf8") -
                value_of(before, "parley_rejected_inputs_total", "reason", "ws_invalid_utf8"),
            1);
}

TEST(metrics_collector, open_connections_are_accepted_minus_ended) {
  const collector scraper(2, nullptr);
  const auto before = scraper.Collect();
  for_loop(0).connections_opened.add(3);
  for_loop(1).connections_opened.add(1);
  for_loop(0).connections_closed_http.add();
  for_loop(1).connections_closed_websocket.add();
  const auto after = scraper.Collect();
  const auto open = [](const auto& families) {
    return find(families, "parley_connections_open").metric.at(0).gauge.value;
  };
  EXPECT_EQ(open(after) - open(before), 2);
}

TEST(metrics_collector, histogram_buckets_are_cumulative_and_end_at_infinity) {
  const collector scraper(1, nullptr);
  const auto before = scraper.Collect();
  for_loop(0).fanout_latency.observe(std::chrono::microseconds(5));  // first bucket
  for_loop(0).fanout_latency.observe(std::chrono::milliseconds(3));  // 0.005
  for_loop(0).fanout_latency.observe(std::chrono::seconds(2));       // +Inf only
  const auto after = scraper.Collect();
  const auto& was = find(before, "parley_fanout_latency_seconds").metric.at(0).histogram;
  const auto& now = find(after, "parley_fanout_latency_seconds").metric.at(0).histogram;
  ASSERT_EQ(now.bucket.size(), k_latency_bounds.size() + 1);
  EXPECT_EQ(now.sample_count - was.sample_count, 3U);
  EXPECT_NEAR(now.sample_sum - was.sample_sum, 2.003005, 1e-9);
  EXPECT_EQ(now.bucket.front().cumulative_count - was.bucket.front().cumulative_count, 1U);
  EXPECT_TRUE(std::isinf(now.bucket.back().upper_bound));
  EXPECT_EQ(now.bucket.back().cumulative_count, now.sample_count);
  for (std::size_t i = 1; i < now.bucket.size(); ++i) {
    EXPECT_GE(now.bucket[i].cumulative_count, now.bucket[i - 1].cumulative_count);
  }
}

TEST(metrics_collector, http_requests_have_method_and_status_labels_other_for_the_rest) {
  const collector scraper(1, nullptr);
  const auto before = scraper.Collect();
  for_loop(0).count_http("GET", 200, std::chrono::microseconds(30));
  for_loop(0).count_http("PATCH", 418, std::chrono::microseconds(30));
  const auto after = scraper.Collect();
  const auto count = [](const auto& families, const std::string& method,
                        const std::string& status) {
    for (const auto& metric : find(families, "http_requests_total").metric) {
      bool method_matches = false;
      bool status_matches = false;
      for (const auto& label : metric.label) {
        method_matches |= label.name == "method" && label.value == method;
        status_matches |= label.name == "status" && label.value == status;
      }
      if (method_matches && status_matches) return metric.counter.value;
    }
    return 0.0;
  };
  EXPECT_EQ(count(after, "GET", "200") - count(before, "GET", "200"), 1);
  EXPECT_EQ(count(after, "other", "other") - count(before, "other", "other"), 1);
}

}  // namespace
}  // namespace parley::obs::metrics
