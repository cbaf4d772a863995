#include "chat/token_bucket.hpp"

#include <gtest/gtest.h>

namespace parley::chat {
namespace {

using namespace std::chrono_literals;
const token_bucket::clock::time_point k_start = token_bucket::clock::time_point{} + 1h;

TEST(token_bucket, gives_the_burst_at_once_then_refuses) {
  token_bucket bucket(20, 40);
  for (int i = 0; i < 40; ++i) EXPECT_TRUE(bucket.take(k_start)) << i;
  EXPECT_FALSE(bucket.take(k_start));
  EXPECT_FALSE(bucket.take(k_start + 49ms));  // 0.98 of a token
}

TEST(token_bucket, refills_at_the_rate) {
  token_bucket bucket(20, 40);
  for (int i = 0; i < 40; ++i) bucket.take(k_start);
  EXPECT_TRUE(bucket.take(k_start + 50ms));  // one token per 50 ms
  EXPECT_FALSE(bucket.take(k_start + 50ms));
  int taken = 0;
  while (bucket.take(k_start + 1050ms)) ++taken;
  EXPECT_EQ(taken, 20);
}

TEST(token_bucket, never_holds_more_than_the_burst) {
  token_bucket bucket(20, 40);
  bucket.take(k_start);
  int taken = 0;
  while (bucket.take(k_start + 1h)) ++taken;
  EXPECT_EQ(taken, 40);
}

TEST(token_bucket, a_refused_request_costs_nothing) {
  token_bucket bucket(10, 1);
  EXPECT_TRUE(bucket.take(k_start));
  for (int i = 0; i < 100; ++i) EXPECT_FALSE(bucket.take(k_start + 50ms));
  EXPECT_TRUE(bucket.take(k_start + 100ms));
}

TEST(token_bucket, lends_up_to_the_debt_allowed_and_is_repaid_first) {
  token_bucket bucket(10, 2);
  EXPECT_TRUE(bucket.take(k_start, 3));
  EXPECT_TRUE(bucket.take(k_start, 3));
  for (int i = 0; i < 3; ++i) EXPECT_TRUE(bucket.take(k_start, 3)) << i;  // into debt
  EXPECT_FALSE(bucket.take(k_start, 3));
  EXPECT_DOUBLE_EQ(bucket.tokens(), -3);
  // 300 ms repay three tokens: back to zero, still nothing to take without debt.
  EXPECT_FALSE(bucket.take(k_start + 300ms));
  EXPECT_TRUE(bucket.take(k_start + 400ms));
}

TEST(token_bucket, a_clock_going_back_adds_nothing) {
  token_bucket bucket(10, 1);
  EXPECT_TRUE(bucket.take(k_start + 1s));
  EXPECT_FALSE(bucket.take(k_start));
  EXPECT_FALSE(bucket.take(k_start + 1s));
}

}  // namespace
}  // namespace parley::chat
