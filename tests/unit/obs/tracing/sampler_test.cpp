#include "obs/tracing/sampler.hpp"

#include <gtest/gtest.h>

#include <limits>

namespace parley::obs::tracing {
namespace {

// A trace id whose last 8 bytes (the ones the sampler reads) hold `low`, big-endian.
trace_id with_low_bytes(std::uint64_t low) {
  trace_id id{};
  id[0] = 0x42;
  for (int i = 15; i >= 8; --i) {
    id[i] = static_cast<std::uint8_t>(low & 0xFF);
    low >>= 8;
  }
  return id;
}

TEST(tracing_sampler, ratio_0_samples_nothing) {
  const ratio_sampler never(0.0);
  EXPECT_FALSE(never.should_sample(with_low_bytes(0)));
  EXPECT_FALSE(never.should_sample(with_low_bytes(1)));
  EXPECT_FALSE(never.should_sample(with_low_bytes(std::numeric_limits<std::uint64_t>::max())));
  for (int i = 0; i < 1000; ++i) EXPECT_FALSE(never.should_sample(new_trace_id()));
}

TEST(tracing_sampler, ratio_1_samples_everything) {
  const ratio_sampler always(1.0);
  EXPECT_TRUE(always.should_sample(with_low_bytes(0)));
  EXPECT_TRUE(always.should_sample(with_low_bytes(std::numeric_limits<std::uint64_t>::max())));
  for (int i = 0; i < 1000; ++i) EXPECT_TRUE(always.should_sample(new_trace_id()));
}

TEST(tracing_sampler, out_of_range_ratios_are_clamped_and_nan_samples_nothing) {
  EXPECT_TRUE(ratio_sampler(7.0).should_sample(with_low_bytes(~std::uint64_t{0})));
  EXPECT_FALSE(ratio_sampler(-1.0).should_sample(with_low_bytes(0)));
  EXPECT_FALSE(
      ratio_sampler(std::numeric_limits<double>::quiet_NaN()).should_sample(with_low_bytes(0)));
}

TEST(tracing_sampler, decides_on_the_last_8_bytes_against_ratio_times_2_to_the_63) {
  const ratio_sampler half(0.5);  // bound 2^62 on the id's top 63 bits
  const std::uint64_t bound = std::uint64_t{1} << 62;
  EXPECT_TRUE(half.should_sample(with_low_bytes(0)));
  EXPECT_TRUE(half.should_sample(with_low_bytes(((bound - 1) << 1) | 1)));
  EXPECT_FALSE(half.should_sample(with_low_bytes(bound << 1)));
  EXPECT_FALSE(half.should_sample(with_low_bytes(std::numeric_limits<std::uint64_t>::max())));
}

TEST(tracing_sampler, is_deterministic_per_trace_id) {
  const ratio_sampler first(0.3);
  const ratio_sampler second(0.3);
  for (int i = 0; i < 1000; ++i) {
    const auto id = new_trace_id();
    const bool decision = first.should_sample(id);
    EXPECT_EQ(first.should_sample(id), decision);
    EXPECT_EQ(second.should_sample(id), decision);
  }
}

TEST(tracing_sampler, samples_about_the_ratio_of_random_traces) {
  const ratio_sampler quarter(0.25);
  int sampled = 0;
  constexpr int k_traces = 20000;
  for (int i = 0; i < k_traces; ++i) sampled += quarter.should_sample(new_trace_id()) ? 1 : 0;
  // 5000 expected; the standard deviation is about 61, so this bound is over 8 sigma.
  EXPECT_NEAR(sampled, 5000, 500);
}

}  // namespace
}  // namespace parley::obs::tracing
