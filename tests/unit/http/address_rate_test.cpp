#include "http/address_rate.hpp"

#include <gtest/gtest.h>

#include <string>

namespace parley::http {
namespace {

using namespace std::chrono_literals;
const auto t0 = address_rate::clock::time_point{} + 1h;

TEST(address_rate, admits_a_burst_then_refuses_until_a_token_comes_back) {
  address_rate rate(10, 3);  // a token every 100 ms
  EXPECT_TRUE(rate.admit("192.0.2.1", t0));
  EXPECT_TRUE(rate.admit("192.0.2.1", t0));
  EXPECT_TRUE(rate.admit("192.0.2.1", t0));
  EXPECT_FALSE(rate.admit("192.0.2.1", t0));
  EXPECT_FALSE(rate.admit("192.0.2.1", t0 + 99ms));
  EXPECT_TRUE(rate.admit("192.0.2.1", t0 + 100ms));
  EXPECT_FALSE(rate.admit("192.0.2.1", t0 + 150ms));
}

TEST(address_rate, each_address_has_its_own_bucket) {
  address_rate rate(1, 1);
  EXPECT_TRUE(rate.admit("192.0.2.1", t0));
  EXPECT_FALSE(rate.admit("192.0.2.1", t0));
  EXPECT_TRUE(rate.admit("192.0.2.2", t0));
}

TEST(address_rate, a_refusal_takes_no_token) {
  address_rate rate(1, 1);
  EXPECT_TRUE(rate.admit("192.0.2.1", t0));
  for (int i = 0; i < 100; ++i) EXPECT_FALSE(rate.admit("192.0.2.1", t0 + 500ms));
  EXPECT_TRUE(rate.admit("192.0.2.1", t0 + 1s));  // refusals did not push the refill back
}

TEST(address_rate, the_rate_holds_for_ever_after_the_burst) {
  address_rate rate(20, 5);
  int admitted = 0;
  for (int ms = 0; ms < 10'000; ms += 10) admitted += rate.admit("192.0.2.1", t0 + 1ms * ms);
  EXPECT_GE(admitted, 5 + 199);  // the burst, then 20 a second for 10 s
  EXPECT_LE(admitted, 5 + 200);
}

TEST(address_rate, zero_rate_admits_everything) {
  address_rate rate(0, 1);
  for (int i = 0; i < 1000; ++i) EXPECT_TRUE(rate.admit("192.0.2.1", t0));
  EXPECT_EQ(rate.tracked(), 0U);
}

TEST(address_rate, addresses_with_full_buckets_are_forgotten) {
  address_rate rate(1, 1);
  for (int i = 0; i < 3000; ++i) {
    EXPECT_TRUE(rate.admit("198.51.100." + std::to_string(i), t0 + 10s * i));
  }
  // Each address's bucket was full again a second later: sweeps keep the map small.
  EXPECT_LT(rate.tracked(), 2100U);
  EXPECT_TRUE(rate.admit("198.51.100.0", t0 + 10s * 3000));
}

}  // namespace
}  // namespace parley::http
