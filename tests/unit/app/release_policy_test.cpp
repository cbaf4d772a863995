#include "app/release_policy.hpp"

#include <gtest/gtest.h>

#include <cstdint>
#include <initializer_list>

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

// --- the heap in use falling below its peak, while the traffic goes on ------------------------

// Busy ticks (never quiet) with the heap at each of `heap` in turn; returns how many released.
int run_busy(release_policy& policy, std::uint64_t& counter,
             std::initializer_list<std::uint64_t> heap) {
  int releases = 0;
  for (const auto in_use : heap) {
    counter += k_after;
    if (policy.tick(counter, in_use)) ++releases;
  }
  return releases;
}

TEST(release_policy, releases_once_when_the_heap_falls_well_below_its_peak_under_steady_traffic) {
  release_policy policy(k_after);
  std::uint64_t counter = 0;
  const std::uint64_t chat = 8 * k_after;  // what the steady chat itself holds
  EXPECT_EQ(run_busy(policy, counter, {chat, chat, 5 * chat, 6 * chat}), 0);  // a flood comes
  EXPECT_EQ(run_busy(policy, counter, {chat + k_after}), 1);                  // and goes
  EXPECT_EQ(run_busy(policy, counter, {chat, chat, chat, chat}), 0);          // once
}

TEST(release_policy, ignores_the_heaps_ups_and_downs_below_after_bytes_or_a_quarter) {
  release_policy policy(k_after);
  std::uint64_t counter = 0;
  // Down by less than after_bytes, many times over: a busy chat's own churn.
  EXPECT_EQ(run_busy(policy, counter, {2 * k_after, k_after + 1, 2 * k_after, k_after + 1}), 0);
  // Down by after_bytes, but not by a quarter of a large heap.
  EXPECT_EQ(run_busy(policy, counter, {40 * k_after, 39 * k_after, 31 * k_after}), 0);
  EXPECT_EQ(run_busy(policy, counter, {30 * k_after}), 1);  // now by a quarter of the peak (40)
}

TEST(release_policy, a_heap_that_grows_and_stays_never_releases) {
  release_policy policy(k_after);
  std::uint64_t counter = 0;
  for (std::uint64_t i = 1; i <= 100; ++i) EXPECT_EQ(run_busy(policy, counter, {i * k_after}), 0);
}

TEST(release_policy, the_peak_starts_again_at_each_release) {
  release_policy policy(k_after);
  std::uint64_t counter = 0;
  EXPECT_EQ(run_busy(policy, counter, {10 * k_after, 2 * k_after}), 1);
  // From 2 (not 10): falling back from 3 to just above 2 is less than after_bytes...
  EXPECT_EQ(run_busy(policy, counter, {3 * k_after, 2 * k_after + 1}), 0);
  // ...and after reaching 8 it is a new fall.
  EXPECT_EQ(run_busy(policy, counter, {8 * k_after, 2 * k_after}), 1);
}

TEST(release_policy, releases_once_per_after_bytes_of_output_dropped_under_steady_traffic) {
  // Slow consumers' queues freed: counted whenever it happened, even between two ticks.
  release_policy policy(k_after);
  std::uint64_t counter = 0;
  const auto busy_tick = [&](std::uint64_t dropped) {
    counter += k_after;
    return policy.tick(counter, 0, dropped);
  };
  EXPECT_FALSE(busy_tick(k_after - 1));
  EXPECT_TRUE(busy_tick(k_after));
  EXPECT_FALSE(busy_tick(k_after));
  EXPECT_FALSE(busy_tick(2 * k_after - 1));
  EXPECT_TRUE(busy_tick(5 * k_after));
  EXPECT_FALSE(busy_tick(5 * k_after));
}

}  // namespace
}  // namespace parley::app
