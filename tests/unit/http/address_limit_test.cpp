#include "http/address_limit.hpp"

#include <gtest/gtest.h>

#include <vector>

namespace parley::http {
namespace {

TEST(address_limit, refuses_an_address_holding_every_slot) {
  address_limit limit(2);
  auto first = limit.acquire("192.0.2.1");
  auto second = limit.acquire("192.0.2.1");
  ASSERT_TRUE(first && second);
  EXPECT_FALSE(limit.acquire("192.0.2.1"));
  EXPECT_TRUE(limit.acquire("192.0.2.2"));  // another address has its own slots
}

TEST(address_limit, a_released_token_frees_its_slot) {
  address_limit limit(1);
  auto token = limit.acquire("192.0.2.1");
  ASSERT_TRUE(token);
  EXPECT_EQ(limit.open("192.0.2.1"), 1U);
  token.reset();
  EXPECT_EQ(limit.open("192.0.2.1"), 0U);
  EXPECT_TRUE(limit.acquire("192.0.2.1"));
}

TEST(address_limit, a_token_may_outlive_the_limit) {
  std::optional<std::shared_ptr<void>> token;
  {
    address_limit limit(1);
    token = limit.acquire("192.0.2.1");
  }
  token.reset();  // no crash: the counts live as long as a token
}

TEST(address_limit, zero_means_no_limit) {
  address_limit limit(0);
  std::vector<std::shared_ptr<void>> tokens;
  for (int i = 0; i < 1000; ++i) {
    auto token = limit.acquire("192.0.2.1");
    ASSERT_TRUE(token);
    tokens.push_back(*token);
  }
}

}  // namespace
}  // namespace parley::http
