#include "obs/tracing/otlp_json.hpp"

#include <nlohmann/json.hpp>

namespace parley::obs::tracing {
namespace {
using json = nlohmann::json;

json any_value(const attribute_value& value) {
  return std::visit(
      [](const auto& v) -> json {
        using type = std::decay_t<decltype(v)>;
        if constexpr (std::is_same_v<type, std::string>) {
          return {{"stringValue", v}};
        } else if constexpr (std::is_same_v<type, bool>) {
          return {{"boolValue", v}};
        } else if constexpr (std::is_same_v<type, std::int64_t>) {
          return {{"intValue", std::to_string(v)}};  // int64 as a string: proto3's JSON mapping
        } else {
          return {{"doubleValue", v}};
        }
      },
      value);
}

json key_value(std::string_view key, json value) {
  return {{"key", key}, {"value", std::move(value)}};
}

json encode_span(const span_record& record) {
  json attributes = json::array();
  for (const auto& attribute : record.attributes) {
    attributes.push_back(key_value(attribute.key, any_value(attribute.value)));
  }
  json span = {
      {"traceId", to_hex(record.trace)},
      {"spanId", to_hex(record.id)},
      {"name", record.name},
      {"kind", static_cast<int>(record.kind)},
      {"startTimeUnixNano", std::to_string(record.start_unix_nano)},
      {"endTimeUnixNano", std::to_string(record.end_unix_nano)},
      {"attributes", std::move(attributes)},
  };
  if (!is_zero(record.parent)) span["parentSpanId"] = to_hex(record.parent);
  if (record.status != span_status::unset) {
    json status = {{"code", static_cast<int>(record.status)}};
    if (!record.status_message.empty()) status["message"] = record.status_message;
    span["status"] = std::move(status);
  }
  return span;
}

}  // namespace

std::string encode_otlp_json(std::span<const span_record> spans, std::string_view service_name) {
  json encoded_spans = json::array();
  for (const auto& record : spans) encoded_spans.push_back(encode_span(record));
  json resource_attributes = json::array();
  resource_attributes.push_back(key_value("service.name", {{"stringValue", service_name}}));
  resource_attributes.push_back(key_value("telemetry.sdk.name", {{"stringValue", "parley"}}));
  resource_attributes.push_back(key_value("telemetry.sdk.language", {{"stringValue", "cpp"}}));

  json scope_spans = json::object();
  scope_spans["scope"] = {{"name", "parley"}};
  scope_spans["spans"] = std::move(encoded_spans);
  json resource_spans = json::object();
  resource_spans["resource"] = {{"attributes", std::move(resource_attributes)}};
  resource_spans["scopeSpans"] = json::array({std::move(scope_spans)});
  json request = json::object();
  request["resourceSpans"] = json::array({std::move(resource_spans)});
  return request.dump(-1, ' ', false, json::error_handler_t::replace);
}

}  // namespace parley::obs::tracing
