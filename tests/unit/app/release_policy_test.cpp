#include "app/release_policy.hpp"

#include <gtest/gtest.h>

#include <cstdint>

namespace parley::app {
namespace {

constexpr std::uint64_t k_after = 16 * 1024;  // quiet below 1 KiB a tick

// Feeds `ticks` ticks of `per_tick` activity each; returns how many of them released.
int run(release_policy& policy, std::uint64_t& counter, int ticks, std::uint64_t per_tick) {
  int releases = 0;
  for (int i = 0; i < ticks; ++i) {
    counter += per_tick;
    if (policy.tick(counter)) ++releases;
  }
  return releases;
}

TEST(release_policy, releases_once_when_a_burst_is_followed_by_quiet) {
  release_policy policy(k_after);
  std::uint64_t counter = 0;
  EXPECT_EQ(run(policy, counter, 3, k_after), 0);  // the burst: busy ticks never release
  EXPECT_TRUE(policy.tick(counter));               // the first quiet tick does
  EXPECT_EQ(run(policy, counter, 100, 0), 0);      // and only it
}

TEST(release_policy, releases_after_a_burst_that_fits_in_one_tick) {
  release_policy policy(k_after);
  EXPECT_FALSE(policy.tick(k_after));  // that tick was busy
  EXPECT_TRUE(policy.tick(k_after));
  EXPECT_FALSE(policy.tick(k_after));
}

TEST(release_policy, never_releases_when_quiet_without_a_burst) {
  release_policy policy(k_after);
  std::uint64_t counter = 0;
  EXPECT_EQ(run(policy, counter, 1000, 0), 0);
  // A trickle below the quiet threshold adds up to a burst's worth only after more than 16 ticks,
  // and releases then: at most once every 16 ticks.
  EXPECT_EQ(run(policy, counter, 16, policy.quiet_below() - 1), 0);
  EXPECT_EQ(run(policy, counter, 1, policy.quiet_below() - 1), 1);
  EXPECT_EQ(run(policy, counter, 16, policy.quiet_below() - 1), 0);
}

TEST(release_policy, never_releases_under_steady_traffic_above_the_quiet_threshold) {
  release_policy policy(k_after);
  std::uint64_t counter = 0;
  EXPECT_EQ(policy.quiet_below(), k_after / 16);
  EXPECT_EQ(run(policy, counter, 10'000, policy.quiet_below()), 0);
  EXPECT_EQ(run(policy, counter, 10'000, 10 * k_after), 0);
}

TEST(release_policy, releases_again_after_a_second_burst) {
  release_policy policy(k_after);
  std::uint64_t counter = 0;
  EXPECT_EQ(run(policy, counter, 2, k_after), 0);
  EXPECT_EQ(run(policy, counter, 10, 0), 1);
  EXPECT_EQ(run(policy, counter, 2, k_after), 0);
  EXPECT_EQ(run(policy, counter, 10, 0), 1);
}

TEST(release_policy, needs_at_least_after_bytes_since_the_last_release) {
  release_policy policy(k_after);
  std::uint64_t counter = 0;
  EXPECT_EQ(run(policy, counter, 1, k_after - 1), 0);
  EXPECT_FALSE(policy.tick(counter));  // quiet, but one byte short
  counter += 1;                        // a quiet tick that reaches after_bytes exactly
  EXPECT_TRUE(policy.tick(counter));
  EXPECT_EQ(run(policy, counter, 1, k_after - 1), 0);
  EXPECT_FALSE(policy.tick(counter));  // the baseline moved to the release
}

TEST(release_policy, counts_from_the_activity_at_start) {
  release_policy policy(k_after, 1'000'000);
  EXPECT_FALSE(policy.tick(1'000'000));
  EXPECT_FALSE(policy.tick(1'000'000 + k_after));
  EXPECT_TRUE(policy.tick(1'000'000 + k_after));
}

TEST(release_policy, takes_a_counter_that_went_down_as_no_activity) {
  release_policy policy(k_after);
  EXPECT_FALSE(policy.tick(2 * k_after));
  EXPECT_TRUE(policy.tick(k_after));  // quiet; the burst was counted already
  EXPECT_FALSE(policy.tick(2 * k_after));
}

TEST(release_policy, with_one_byte_releases_after_any_activity_then_a_silent_tick) {
  release_policy policy(1);
  EXPECT_EQ(policy.quiet_below(), 1U);
  EXPECT_FALSE(policy.tick(0));
  EXPECT_FALSE(policy.tick(1));
  EXPECT_TRUE(policy.tick(1));
  EXPECT_FALSE(policy.tick(1));
}

}  // namespace
}  // namespace parley::app
