#pragma once

#include <chrono>
#include <cstddef>
#include <string>

namespace parley::obs::tracing {

// What the tracer is told at start-up (app/server.cpp builds it from config::options).
struct tracer_settings {
  bool enabled = false;
  std::string endpoint = "http://localhost:4318/v1/traces";  // OTLP/HTTP JSON, http:// only
  double sample_ratio = 1.0;  // of new traces; a caller's traceparent decides for its own
  std::string service_name = "parley";
  // 2048 spans of a few hundred bytes: under a megabyte held while the collector is away, and
  // four batches of slack while an export is on its way.
  std::size_t max_queued_spans = 2048;
  std::size_t max_batch_spans = 512;            // per request: a body of a few hundred KiB at most
  std::chrono::milliseconds batch_delay{1000};  // export at least this often when spans wait
  std::chrono::milliseconds export_timeout{3000};  // one request: connect, send, answer
  // At shutdown, what is still queued gets this long to leave; the drain has waited already.
  std::chrono::milliseconds final_flush_timeout{2000};
};

}  // namespace parley::obs::tracing
