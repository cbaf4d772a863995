#include "obs/tracing/span.hpp"

#include "obs/tracing/span_record.hpp"
#include "obs/tracing/tracer.hpp"

namespace parley::obs::tracing {

span::span(tracer* owner, std::shared_ptr<span_record> record)
    : tracer_(owner), record_(std::move(record)) {}

span_context span::context() const {
  if (!record_) return {};
  return {record_->trace, record_->id, true};
}

void span::set_attribute(std::string_view key, std::string_view value) {
  if (record_) record_->attributes.push_back({std::string(key), std::string(value)});
}

void span::set_attribute(std::string_view key, double value) {
  if (record_) record_->attributes.push_back({std::string(key), value});
}

void span::set_int(std::string_view key, std::int64_t value) {
  if (record_) record_->attributes.push_back({std::string(key), value});
}

void span::set_bool(std::string_view key, bool value) {
  if (record_) record_->attributes.push_back({std::string(key), value});
}

void span::set_error(std::string_view message) {
  if (!record_) return;
  record_->status = span_status::error;
  record_->status_message = message;
}

void span::end() {
  if (!record_) return;
  auto record = std::move(record_);
  if (record->ended) return;
  record->ended = true;
  tracer_->finish(*record);
}

}  // namespace parley::obs::tracing
