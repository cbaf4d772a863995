#include "obs/tracing/traceparent.hpp"

#include <gtest/gtest.h>

namespace parley::obs::tracing {
namespace {

constexpr std::string_view k_valid = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01";

TEST(tracing_traceparent, reads_trace_id_parent_id_and_sampled_flag) {
  const auto context = parse_traceparent(k_valid);
  ASSERT_TRUE(context.has_value());
  EXPECT_EQ(to_hex(context->trace), "4bf92f3577b34da6a3ce929d0e0e4736");
  EXPECT_EQ(to_hex(context->span), "00f067aa0ba902b7");
  EXPECT_TRUE(context->sampled);
}

TEST(tracing_traceparent, flags_without_the_sampled_bit_mean_not_sampled) {
  auto context = parse_traceparent("00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-00");
  ASSERT_TRUE(context.has_value());
  EXPECT_FALSE(context->sampled);
  context = parse_traceparent("00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-02");
  ASSERT_TRUE(context.has_value());
  EXPECT_FALSE(context->sampled);
  context = parse_traceparent("00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-03");
  ASSERT_TRUE(context.has_value());
  EXPECT_TRUE(context->sampled);
}

TEST(tracing_traceparent, surrounding_spaces_and_tabs_are_ignored) {
  EXPECT_TRUE(parse_traceparent(" \t" + std::string(k_valid) + " ").has_value());
}

TEST(tracing_traceparent, rejects_malformed_values) {
  for (const std::string_view bad : {
           "", "00",
           "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7",        // no flags
           "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-1",      // short flags
           "00-4BF92F3577B34DA6A3CE929D0E0E4736-00f067aa0ba902b7-01",     // upper case
           "00-4bf92f3577b34da6a3ce929d0e0e4736-00F067AA0BA902B7-01",     // upper case
           "00-00000000000000000000000000000000-00f067aa0ba902b7-01",     // zero trace id
           "00-4bf92f3577b34da6a3ce929d0e0e4736-0000000000000000-01",     // zero parent id
           "ff-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01",     // version ff
           "0-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01",      // short version
           "00_4bf92f3577b34da6a3ce929d0e0e4736_00f067aa0ba902b7_01",     // wrong separators
           "00-4bf92f3577b34da6a3ce929d0e0e473-600f067aa0ba902b7-01",     // misplaced dash
           "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01-",    // v00 with extra
           "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01-ab",  // v00 with extra
           "00-4bf92f3577b34da6a3ce929d0e0e473g-00f067aa0ba902b7-01",     // not hex
           "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-0x",     // not hex flags
           "01-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01x",    // later version, junk
       }) {
    EXPECT_FALSE(parse_traceparent(bad).has_value()) << bad;
  }
}

TEST(tracing_traceparent, a_later_version_is_read_by_its_version_00_prefix) {
  const auto context =
      parse_traceparent("cc-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01-what-the-future");
  ASSERT_TRUE(context.has_value());
  EXPECT_EQ(to_hex(context->span), "00f067aa0ba902b7");
  EXPECT_TRUE(parse_traceparent("cc-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"));
}

TEST(tracing_traceparent, formats_version_00_and_reads_back_what_it_wrote) {
  const auto context = parse_traceparent(k_valid);
  ASSERT_TRUE(context.has_value());
  EXPECT_EQ(format_traceparent(*context), k_valid);
  span_context unsampled = *context;
  unsampled.sampled = false;
  EXPECT_EQ(format_traceparent(unsampled),
            "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-00");
  const span_context fresh{new_trace_id(), new_span_id(), true};
  const auto again = parse_traceparent(format_traceparent(fresh));
  ASSERT_TRUE(again.has_value());
  EXPECT_EQ(again->trace, fresh.trace);
  EXPECT_EQ(again->span, fresh.span);
}

}  // namespace
}  // namespace parley::obs::tracing
