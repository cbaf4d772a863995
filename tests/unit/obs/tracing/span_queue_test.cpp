#include "obs/tracing/span_queue.hpp"

#include <gtest/gtest.h>

#include <thread>

namespace parley::obs::tracing {
namespace {

using namespace std::chrono_literals;

span_record named(std::string name) {
  span_record record;
  record.name = std::move(name);
  return record;
}

TEST(tracing_span_queue, holds_up_to_its_capacity_then_drops_and_counts) {
  span_queue queue(2048, 512);
  for (int i = 0; i < 2048; ++i) EXPECT_TRUE(queue.push(named(std::to_string(i))));
  EXPECT_FALSE(queue.push(named("one too many")));
  EXPECT_FALSE(queue.push(named("two too many")));
  EXPECT_EQ(queue.dropped(), 2U);

  const auto taken = queue.take();
  ASSERT_EQ(taken.size(), 2048U);
  EXPECT_EQ(taken.front().name, "0");
  EXPECT_EQ(taken.back().name, "2047");  // the oldest are kept, the newest dropped
  EXPECT_TRUE(queue.push(named("room again")));
  EXPECT_EQ(queue.dropped(), 2U);
}

TEST(tracing_span_queue, wait_returns_a_full_batch_at_once) {
  span_queue queue(16, 4);
  std::thread producer([&queue] {
    for (int i = 0; i < 4; ++i) queue.push(named("s"));
  });
  bool closed = true;
  // Not before the batch is complete, and long before the minute is up.
  const auto taken = queue.wait_and_take(60s, closed);
  producer.join();
  EXPECT_EQ(taken.size(), 4U);
  EXPECT_FALSE(closed);
}

TEST(tracing_span_queue, wait_returns_what_is_queued_after_the_timeout) {
  span_queue queue(16, 4);
  queue.push(named("lonely"));
  bool closed = true;
  const auto taken = queue.wait_and_take(10ms, closed);
  ASSERT_EQ(taken.size(), 1U);
  EXPECT_FALSE(closed);
}

TEST(tracing_span_queue, close_wakes_the_waiter_and_says_so) {
  span_queue queue(16, 4);
  std::thread closer([&queue] { queue.close(); });
  bool closed = false;
  while (!closed) queue.wait_and_take(60s, closed);
  closer.join();
  EXPECT_TRUE(closed);
}

}  // namespace
}  // namespace parley::obs::tracing
