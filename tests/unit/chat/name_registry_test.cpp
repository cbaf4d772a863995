#include "chat/name_registry.hpp"

#include <gtest/gtest.h>

#include <atomic>
#include <latch>
#include <string>
#include <thread>
#include <vector>

namespace parley::chat {
namespace {

TEST(name_registry, claims_a_free_name_once) {
  name_registry names;
  EXPECT_FALSE(names.holds("alice"));
  EXPECT_TRUE(names.claim("alice"));
  EXPECT_TRUE(names.holds("alice"));
  EXPECT_FALSE(names.claim("alice"));
}

TEST(name_registry, release_frees_the_name) {
  name_registry names;
  ASSERT_TRUE(names.claim("alice"));
  names.release("alice");
  EXPECT_FALSE(names.holds("alice"));
  EXPECT_TRUE(names.claim("alice"));
}

TEST(name_registry, releasing_a_free_name_does_nothing) {
  name_registry names;
  ASSERT_TRUE(names.claim("bob"));
  names.release("alice");
  EXPECT_TRUE(names.holds("bob"));
  EXPECT_FALSE(names.holds("alice"));
}

TEST(name_registry, names_are_exact_byte_strings) {
  name_registry names;
  ASSERT_TRUE(names.claim("alice"));
  EXPECT_TRUE(names.claim("Alice"));
  EXPECT_TRUE(names.claim("alice "));
  EXPECT_TRUE(names.claim("J\xC3\xBCrgen"));
  EXPECT_FALSE(names.claim("J\xC3\xBCrgen"));
}

TEST(name_registry, exactly_one_of_8_threads_claiming_one_name_gets_it) {
  constexpr int k_threads = 8;
  name_registry names;
  for (int round = 0; round < 50; ++round) {
    const std::string name = "contested-" + std::to_string(round);
    std::atomic<int> winners{0};
    std::latch start(k_threads);
    std::vector<std::thread> threads;
    for (int t = 0; t < k_threads; ++t) {
      threads.emplace_back([&] {
        start.arrive_and_wait();  // all claim at once
        if (names.claim(name)) winners.fetch_add(1);
      });
    }
    for (auto& thread : threads) thread.join();
    EXPECT_EQ(winners.load(), 1) << name;
    EXPECT_TRUE(names.holds(name));
  }
}

}  // namespace
}  // namespace parley::chat
