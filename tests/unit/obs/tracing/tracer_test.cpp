#include "obs/tracing/tracer.hpp"

#include <gtest/gtest.h>

#include <functional>

#include "../../support/spans.hpp"
#include "obs/tracing/trace_context.hpp"
#include "obs/tracing/traceparent.hpp"

namespace parley::obs::tracing {
namespace {

using test_support::attribute_of;
using test_support::recording_tracer;

const span_context k_caller =
    *parse_traceparent("00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01");

TEST(tracing_tracer, when_disabled_records_nothing) {
  tracer off{tracer_settings{}};
  EXPECT_FALSE(off.enabled());
  auto span = off.start_span("x", span_kind::server, k_caller);
  EXPECT_FALSE(span.recording());
  EXPECT_FALSE(span.context().valid());
  span.set_attribute("ignored", 1);
  span.end();
  EXPECT_TRUE(off.take_queued().empty());
}

TEST(tracing_tracer, a_span_without_parent_starts_a_trace) {
  auto tracer = recording_tracer();
  auto span = tracer.start_span("root", span_kind::server);
  ASSERT_TRUE(span.recording());
  const auto context = span.context();
  EXPECT_TRUE(context.valid());
  EXPECT_TRUE(context.sampled);
  span.end();
  const auto queued = tracer.take_queued();
  ASSERT_EQ(queued.size(), 1U);
  EXPECT_EQ(queued[0].name, "root");
  EXPECT_EQ(queued[0].kind, span_kind::server);
  EXPECT_EQ(queued[0].trace, context.trace);
  EXPECT_EQ(queued[0].id, context.span);
  EXPECT_TRUE(is_zero(queued[0].parent));
  EXPECT_GT(queued[0].start_unix_nano, 0U);
  EXPECT_GE(queued[0].end_unix_nano, queued[0].start_unix_nano);
}

TEST(tracing_tracer, continues_a_sampled_callers_trace) {
  auto tracer = recording_tracer();
  auto span = tracer.start_span("upgrade", span_kind::server, k_caller);
  ASSERT_TRUE(span.recording());
  span.end();
  const auto queued = tracer.take_queued();
  ASSERT_EQ(queued.size(), 1U);
  EXPECT_EQ(queued[0].trace, k_caller.trace);
  EXPECT_EQ(queued[0].parent, k_caller.span);
  EXPECT_NE(queued[0].id, k_caller.span);
}

TEST(tracing_tracer, sampling_follows_the_parent_whatever_the_ratio) {
  span_context unsampled = k_caller;
  unsampled.sampled = false;
  EXPECT_FALSE(recording_tracer(1.0).start_span("x", span_kind::server, unsampled).recording());
  EXPECT_TRUE(recording_tracer(0.0).start_span("x", span_kind::server, k_caller).recording());
  EXPECT_FALSE(recording_tracer(0.0).start_span("x", span_kind::server).recording());
}

TEST(tracing_tracer, records_attributes_of_every_type_and_the_error_status) {
  auto tracer = recording_tracer();
  auto span = tracer.start_span("x", span_kind::internal);
  span.set_attribute("text", "hello");
  span.set_attribute("view", std::string_view("world"));
  span.set_attribute("count", std::size_t{42});
  span.set_attribute("negative", -7);
  span.set_attribute("ratio", 0.5);
  span.set_attribute("flag", true);
  span.set_error("broken");
  span.end();
  const auto queued = tracer.take_queued();
  ASSERT_EQ(queued.size(), 1U);
  const auto& record = queued[0];
  EXPECT_EQ(attribute_of<std::string>(record, "text"), "hello");
  EXPECT_EQ(attribute_of<std::string>(record, "view"), "world");
  EXPECT_EQ(attribute_of<std::int64_t>(record, "count"), 42);
  EXPECT_EQ(attribute_of<std::int64_t>(record, "negative"), -7);
  EXPECT_EQ(attribute_of<double>(record, "ratio"), 0.5);
  EXPECT_EQ(attribute_of<bool>(record, "flag"), true);
  EXPECT_EQ(record.status, span_status::error);
  EXPECT_EQ(record.status_message, "broken");
}

TEST(tracing_tracer, a_span_is_queued_once_however_often_its_copies_end) {
  auto tracer = recording_tracer();
  auto span = tracer.start_span("x", span_kind::internal);
  auto copy = span;
  std::function<void()> later = [copy]() mutable { copy.end(); };
  later();
  span.end();
  copy.end();
  EXPECT_EQ(tracer.take_queued().size(), 1U);
}

TEST(tracing_tracer, a_span_dropped_without_end_is_not_exported) {
  auto tracer = recording_tracer();
  { auto span = tracer.start_span("x", span_kind::internal); }
  EXPECT_TRUE(tracer.take_queued().empty());
}

TEST(tracing_tracer, a_full_queue_drops_and_counts) {
  tracer_settings settings;
  settings.enabled = true;
  settings.max_queued_spans = 3;
  tracer small(settings);
  for (int i = 0; i < 5; ++i) small.start_span("x", span_kind::internal).end();
  EXPECT_EQ(small.dropped_spans(), 2U);
  EXPECT_EQ(small.take_queued().size(), 3U);
}

TEST(tracing_tracer, children_of_a_connection_follow_its_upgrade_span) {
  auto tracer = recording_tracer();
  auto upgrade = tracer.start_span("upgrade", span_kind::server, k_caller);
  const trace_context connection{&tracer, upgrade.context()};
  connection.child("close", span_kind::internal).end();
  upgrade.end();
  const auto queued = tracer.take_queued();
  ASSERT_EQ(queued.size(), 2U);
  EXPECT_EQ(queued[0].name, "close");
  EXPECT_EQ(queued[0].trace, k_caller.trace);
  EXPECT_EQ(queued[0].parent, queued[1].id);
}

TEST(tracing_tracer, a_connection_not_traced_has_no_children_and_never_a_new_root) {
  auto tracer = recording_tracer();
  EXPECT_FALSE((trace_context{&tracer, {}}.child("close", span_kind::internal).recording()));
  EXPECT_FALSE((trace_context{}.child("close", span_kind::internal).recording()));
  EXPECT_TRUE(tracer.take_queued().empty());
}

TEST(tracing_tracer, refuses_an_endpoint_that_is_not_http_when_enabled) {
  tracer_settings settings;
  settings.enabled = true;
  settings.endpoint = "https://collector:4318/v1/traces";
  EXPECT_THROW(tracer{settings}, std::invalid_argument);
  settings.enabled = false;
  EXPECT_NO_THROW(tracer{settings});
}

}  // namespace
}  // namespace parley::obs::tracing
