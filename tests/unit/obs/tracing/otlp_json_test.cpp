#include "obs/tracing/otlp_json.hpp"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "obs/tracing/traceparent.hpp"

namespace parley::obs::tracing {
namespace {

using json = nlohmann::json;

std::vector<span_record> batch() {
  const auto caller = *parse_traceparent("00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01");
  span_record upgrade;
  upgrade.name = "websocket upgrade";
  upgrade.kind = span_kind::server;
  upgrade.trace = caller.trace;
  upgrade.id = {0x11, 0x22, 0x33, 0x44, 0x55, 0x66, 0x77, 0x88};
  upgrade.parent = caller.span;
  upgrade.start_unix_nano = 1'700'000'000'000'000'001;
  upgrade.end_unix_nano = 1'700'000'000'123'456'789;
  upgrade.attributes = {{"url.path", std::string("/chat/alice")},
                        {"http.response.status_code", std::int64_t{101}},
                        {"ratio", 0.25},
                        {"clean", true}};
  span_record root;
  root.name = "root";
  root.trace = new_trace_id();
  root.id = new_span_id();
  root.status = span_status::error;
  root.status_message = "Service Unavailable";
  return {upgrade, root};
}

TEST(tracing_otlp_json, has_one_resource_with_service_name_and_one_scope) {
  const auto encoded = json::parse(encode_otlp_json(batch(), "parley-test"));
  ASSERT_EQ(encoded["resourceSpans"].size(), 1U);
  const auto& resource_spans = encoded["resourceSpans"][0];
  const auto& resource_attributes = resource_spans["resource"]["attributes"];
  ASSERT_TRUE(resource_attributes.is_array());
  EXPECT_EQ(resource_attributes[0],
            (json{{"key", "service.name"}, {"value", {{"stringValue", "parley-test"}}}}));
  ASSERT_EQ(resource_spans["scopeSpans"].size(), 1U);
  EXPECT_EQ(resource_spans["scopeSpans"][0]["scope"]["name"], "parley");
  EXPECT_EQ(resource_spans["scopeSpans"][0]["spans"].size(), 2U);
}

TEST(tracing_otlp_json, writes_ids_in_hex_times_as_decimal_strings_and_kind_as_a_number) {
  const auto encoded = json::parse(encode_otlp_json(batch(), "parley"));
  const auto& span = encoded["resourceSpans"][0]["scopeSpans"][0]["spans"][0];
  EXPECT_EQ(span["traceId"], "4bf92f3577b34da6a3ce929d0e0e4736");
  EXPECT_EQ(span["spanId"], "1122334455667788");
  EXPECT_EQ(span["parentSpanId"], "00f067aa0ba902b7");
  EXPECT_EQ(span["name"], "websocket upgrade");
  EXPECT_EQ(span["kind"], 2);
  EXPECT_EQ(span["startTimeUnixNano"], "1700000000000000001");
  EXPECT_EQ(span["endTimeUnixNano"], "1700000000123456789");
  EXPECT_FALSE(span.contains("status"));  // unset: left out, as proto3 JSON does
}

TEST(tracing_otlp_json, writes_attributes_as_typed_any_values_with_ints_as_strings) {
  const auto encoded = json::parse(encode_otlp_json(batch(), "parley"));
  const auto& attributes = encoded["resourceSpans"][0]["scopeSpans"][0]["spans"][0]["attributes"];
  ASSERT_EQ(attributes.size(), 4U);
  EXPECT_EQ(attributes[0],
            (json{{"key", "url.path"}, {"value", {{"stringValue", "/chat/alice"}}}}));
  EXPECT_EQ(attributes[1],
            (json{{"key", "http.response.status_code"}, {"value", {{"intValue", "101"}}}}));
  EXPECT_EQ(attributes[2], (json{{"key", "ratio"}, {"value", {{"doubleValue", 0.25}}}}));
  EXPECT_EQ(attributes[3], (json{{"key", "clean"}, {"value", {{"boolValue", true}}}}));
}

TEST(tracing_otlp_json, a_root_has_no_parent_and_an_error_has_its_status) {
  const auto encoded = json::parse(encode_otlp_json(batch(), "parley"));
  const auto& root = encoded["resourceSpans"][0]["scopeSpans"][0]["spans"][1];
  EXPECT_FALSE(root.contains("parentSpanId"));
  EXPECT_EQ(root["kind"], 1);
  EXPECT_EQ(root["status"], (json{{"code", 2}, {"message", "Service Unavailable"}}));
}

TEST(tracing_otlp_json, text_that_is_not_utf8_is_replaced_not_thrown) {
  auto spans = batch();
  spans[0].attributes = {{"url.path", std::string("/chat/\xff\xfe")}};
  std::string encoded;
  ASSERT_NO_THROW(encoded = encode_otlp_json(spans, "parley"));
  EXPECT_TRUE(json::accept(encoded));
}

}  // namespace
}  // namespace parley::obs::tracing
