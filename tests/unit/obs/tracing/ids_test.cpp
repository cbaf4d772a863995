#include "obs/tracing/ids.hpp"

#include <gtest/gtest.h>

#include <regex>
#include <set>
#include <thread>

namespace parley::obs::tracing {
namespace {

TEST(tracing_ids, are_never_zero_and_do_not_repeat) {
  std::set<trace_id> traces;
  std::set<span_id> spans;
  for (int i = 0; i < 10000; ++i) {
    const auto trace = new_trace_id();
    const auto span = new_span_id();
    EXPECT_FALSE(is_zero(trace));
    EXPECT_FALSE(is_zero(span));
    traces.insert(trace);
    spans.insert(span);
  }
  EXPECT_EQ(traces.size(), 10000U);
  EXPECT_EQ(spans.size(), 10000U);
}

TEST(tracing_ids, threads_draw_different_ids) {
  trace_id other{};
  std::thread([&other] { other = new_trace_id(); }).join();
  EXPECT_NE(new_trace_id(), other);
}

TEST(tracing_ids, are_written_as_lowercase_hex) {
  trace_id trace{};
  trace[0] = 0xAB;
  trace[15] = 0x01;
  EXPECT_EQ(to_hex(trace), "ab000000000000000000000000000001");
  span_id span{};
  span[7] = 0xFF;
  EXPECT_EQ(to_hex(span), "00000000000000ff");
  EXPECT_TRUE(std::regex_match(to_hex(new_trace_id()), std::regex("[0-9a-f]{32}")));
  EXPECT_TRUE(std::regex_match(to_hex(new_span_id()), std::regex("[0-9a-f]{16}")));
}

TEST(tracing_ids, a_context_is_valid_only_with_both_ids) {
  EXPECT_FALSE(span_context{}.valid());
  EXPECT_FALSE((span_context{new_trace_id(), {}, true}.valid()));
  EXPECT_FALSE((span_context{{}, new_span_id(), true}.valid()));
  EXPECT_TRUE((span_context{new_trace_id(), new_span_id(), false}.valid()));
}

}  // namespace
}  // namespace parley::obs::tracing
