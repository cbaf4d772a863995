#pragma once

#include <cstdint>
#include <memory>
#include <string_view>

#include "obs/tracing/exporter.hpp"
#include "obs/tracing/sampler.hpp"
#include "obs/tracing/span.hpp"
#include "obs/tracing/span_queue.hpp"
#include "obs/tracing/span_record.hpp"
#include "obs/tracing/tracer_settings.hpp"

namespace parley::obs::tracing {

// Starts spans and hands finished ones to a background exporter. Thread-safe: every event loop
// starts and ends spans through the one tracer. When tracing is off, start_span is one branch
// and returns a handle that records nothing.
class tracer {
 public:
  // Throws std::invalid_argument when enabled with an endpoint that is not an http:// URL.
  explicit tracer(const tracer_settings& settings);
  ~tracer();  // stop_exporter()
  tracer(const tracer&) = delete;
  tracer& operator=(const tracer&) = delete;

  [[nodiscard]] bool enabled() const { return enabled_; }

  // A span under `parent`, or the root of a new trace when `parent` is invalid (no caller's
  // traceparent). Sampling is parent-based: a valid parent's sampled flag decides, a new trace
  // is sampled by ratio on its id. An unsampled span is not recorded (the handle is empty).
  span start_span(std::string_view name, span_kind kind, const span_context& parent = {});

  // The exporter thread (when enabled). stop_exporter() sends what is queued, up to the final
  // flush timeout, and joins; spans that end after it are not exported.
  void start_exporter();
  void stop_exporter();

  // Spans dropped because the queue was full (the exporter fell behind or the collector is away).
  [[nodiscard]] std::uint64_t dropped_spans() const { return queue_.dropped(); }
  [[nodiscard]] const export_counters& counters() const { return counters_; }
  // For tests: what is queued and not yet exported.
  std::vector<span_record> take_queued() { return queue_.take(); }

 private:
  friend class span;
  void finish(span_record& record);  // stamps the end, queues (moves the record out)

  const bool enabled_;
  ratio_sampler sampler_;
  span_queue queue_;
  export_counters counters_;
  std::unique_ptr<exporter> exporter_;  // null when disabled
};

}  // namespace parley::obs::tracing
