#include "net/local_bytes.hpp"

#include <gtest/gtest.h>

#include <memory>
#include <vector>

namespace parley::net {
namespace {

shared_bytes bytes_of(const char* text) {
  return std::make_shared<const std::string>(text);
}

TEST(local_bytes_pool, recipients_of_one_frame_cost_the_frame_one_reference) {
  local_bytes_pool pool;
  const auto frame = bytes_of("broadcast");
  std::vector<local_ref> queues;
  for (int i = 0; i < 1000; ++i) queues.push_back(pool.share(frame));
  EXPECT_EQ(frame.use_count(), 2);  // ours and the pool's one
  for (const auto& ref : queues) EXPECT_EQ(*ref, "broadcast");
}

TEST(local_bytes_pool, frame_is_released_once_no_queue_and_no_later_frame_needs_it) {
  local_bytes_pool pool;
  const auto first = bytes_of("first");
  const auto second = bytes_of("second");
  auto a = pool.share(first);
  auto b = pool.share(second);  // the pool moves on to the second frame
  EXPECT_EQ(first.use_count(), 2);
  a.reset();
  EXPECT_EQ(first.use_count(), 1);
  EXPECT_EQ(*b, "second");
}

TEST(local_bytes_pool, owned_bytes_are_not_shared_with_the_next_call) {
  local_bytes_pool pool;
  auto pong = pool.own(bytes_of("pong"));
  const auto frame = bytes_of("frame");
  auto shared = pool.share(frame);
  EXPECT_EQ(*pong, "pong");
  EXPECT_EQ(*shared, "frame");
}

TEST(local_bytes_pool, moved_reference_keeps_the_bytes_and_leaves_nothing_behind) {
  local_bytes_pool pool;
  const auto frame = bytes_of("frame");
  auto original = pool.share(frame);
  local_ref moved = std::move(original);
  EXPECT_FALSE(original);  // NOLINT(bugprone-use-after-move): the point of the test
  EXPECT_EQ(*moved, "frame");
  moved = pool.share(bytes_of("other"));
  EXPECT_EQ(frame.use_count(), 1);
}

}  // namespace
}  // namespace parley::net
