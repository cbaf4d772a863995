#include "obs/tracing/tracer.hpp"

#include <chrono>
#include <stdexcept>

namespace parley::obs::tracing {
namespace {

std::uint64_t unix_nanos(std::chrono::system_clock::time_point time) {
  return static_cast<std::uint64_t>(
      std::chrono::duration_cast<std::chrono::nanoseconds>(time.time_since_epoch()).count());
}

std::unique_ptr<exporter> make_exporter(span_queue& queue, export_counters& counters,
                                        const tracer_settings& settings) {
  if (!settings.enabled) return nullptr;
  try {
    return std::make_unique<exporter>(queue, counters, settings,
                                      parse_http_endpoint(settings.endpoint));
  } catch (const std::invalid_argument& error) {
    throw std::invalid_argument(std::string("tracing endpoint ") + error.what());
  }
}

}  // namespace

tracer::tracer(const tracer_settings& settings)
    : enabled_(settings.enabled),
      sampler_(settings.sample_ratio),
      queue_(settings.max_queued_spans, settings.max_batch_spans),
      exporter_(make_exporter(queue_, counters_, settings)) {}

tracer::~tracer() {
  stop_exporter();
}

span tracer::start_span(std::string_view name, span_kind kind, const span_context& parent) {
  if (!enabled_) return {};
  auto record = std::make_shared<span_record>();
  if (parent.valid()) {
    if (!parent.sampled) return {};
    record->trace = parent.trace;
    record->parent = parent.span;
  } else {
    record->trace = new_trace_id();
    if (!sampler_.should_sample(record->trace)) return {};
  }
  record->id = new_span_id();
  record->name = name;
  record->kind = kind;
  record->steady_start = std::chrono::steady_clock::now();
  record->start_unix_nano = unix_nanos(std::chrono::system_clock::now());
  return {this, std::move(record)};
}

void tracer::finish(span_record& record) {
  const auto elapsed = std::chrono::steady_clock::now() - record.steady_start;
  record.end_unix_nano = record.start_unix_nano +
                         static_cast<std::uint64_t>(
                             std::chrono::duration_cast<std::chrono::nanoseconds>(elapsed).count());
  queue_.push(std::move(record));
}

void tracer::start_exporter() {
  if (exporter_) exporter_->start();
}

void tracer::stop_exporter() {
  if (exporter_) exporter_->stop();
}

}  // namespace parley::obs::tracing
