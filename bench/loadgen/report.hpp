#pragma once

#include <cmath>
#include <cstdint>

#include "options.hpp"
#include "worker.hpp"

namespace parley::bench {

// What a run measured; NAN or -1 marks a value that was not measured (printed as null).
struct run_report {
  double connect_s = NAN;
  std::uint64_t greetings = 0, join_notices = 0, expected_join_notices = 0;
  std::uint64_t messages_sent = 0, messages_sent_measured = 0;
  std::uint64_t deliveries = 0, deliveries_measured = 0, expected_deliveries = 0;
  double messages_per_s = 0, deliveries_per_s = 0;  // in the measured window
  std::int64_t rss_before = -1, rss_after = -1;
  double rss_per_conn = NAN;
  std::uint64_t lost = 0, out_of_order = 0, seq_gaps = 0;
  std::uint64_t pings = 0, leaves = 0, other_lines = 0;
  // storm
  double storm_s = NAN;      // reconnect command to the last reconnect's joined (its replay)
  double storm_all_s = NAN;  // ... to the last join notice of the reconnects
  double storm_server_cpu_s = NAN;
  std::uint64_t resumed = 0, replayed = 0, replay_gaps = 0;
  std::int64_t replay_min = -1;  // the fewest events one reconnect got replayed
  error_counts errors;
  histogram latency;
  double loadgen_cpu_util = NAN;  // CPU seconds per second in the measured window (1.0 = a core)
  double server_cpu_util = NAN;
  double loadgen_cpu_s = 0, wall_s = 0;  // the whole run

  bool healthy() const { return lost == 0 && out_of_order == 0 && errors.total() == 0; }
};

// Human-readable lines, for stderr.
void print_summary(const options& opts, const run_report& r);
// Exactly one JSON object and a newline, for stdout.
void print_json(const options& opts, const run_report& r);

}  // namespace parley::bench
