#pragma once

#include <atomic>
#include <cstdint>
#include <thread>

#include "obs/tracing/http_endpoint.hpp"
#include "obs/tracing/span_queue.hpp"
#include "obs/tracing/tracer_settings.hpp"

namespace parley::obs::tracing {

// What the exporter has done, for the metrics endpoint to come.
struct export_counters {
  std::atomic<std::uint64_t> exported_spans{0};
  std::atomic<std::uint64_t> failed_requests{0};
  std::atomic<std::uint64_t> lost_spans{0};  // in requests that failed (never retried)
};

// The background thread that sends queued spans to the collector: a batch when max_batch_spans
// are waiting or batch_delay has passed, and, once stopped, a final flush bounded by
// final_flush_timeout. Failures and queue drops are logged at most once a minute each.
class exporter {
 public:
  exporter(span_queue& queue, export_counters& counters, tracer_settings settings,
           http_endpoint endpoint);
  ~exporter();  // stop()
  exporter(const exporter&) = delete;
  exporter& operator=(const exporter&) = delete;

  void start();
  // Flushes what is queued (up to the final flush timeout) and joins the thread.
  void stop();

 private:
  void run();

  span_queue& queue_;
  export_counters& counters_;
  tracer_settings settings_;
  http_endpoint endpoint_;
  std::thread thread_;
};

}  // namespace parley::obs::tracing
