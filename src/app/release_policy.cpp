#include "app/release_policy.hpp"

#include <algorithm>

namespace parley::app {

namespace {
// A tick counts as quiet below 1/16 of a burst: with the defaults, under 1 MiB a second.
constexpr std::uint64_t k_quiet_share = 16;
// The heap has fallen well below its peak when at most 3/4 of it is still in use.
constexpr std::uint64_t k_fallen_numerator = 3;
constexpr std::uint64_t k_fallen_denominator = 4;

std::uint64_t since(std::uint64_t now, std::uint64_t then) {
  return now > then ? now - then : 0;
}
}  // namespace

release_policy::release_policy(std::uint64_t after_bytes, std::uint64_t activity_now)
    : after_bytes_(std::max<std::uint64_t>(after_bytes, 1)),
      quiet_below_(std::max<std::uint64_t>(after_bytes_ / k_quiet_share, 1)),
      released_at_(activity_now),
      last_tick_(activity_now) {}

bool release_policy::tick(std::uint64_t activity_now, std::uint64_t heap_in_use,
                          std::uint64_t output_dropped) {
  const std::uint64_t this_tick = since(activity_now, last_tick_);
  last_tick_ = std::max(last_tick_, activity_now);
  heap_peak_ = std::max(heap_peak_, heap_in_use);
  const bool output_freed = since(output_dropped, dropped_at_) >= after_bytes_;
  if (!burst_is_over(this_tick) && !output_freed && !heap_fell(heap_in_use)) return false;
  released_at_ = last_tick_;
  heap_peak_ = heap_in_use;
  dropped_at_ = std::max(dropped_at_, output_dropped);
  return true;
}

bool release_policy::burst_is_over(std::uint64_t this_tick) const {
  return since(last_tick_, released_at_) >= after_bytes_ && this_tick < quiet_below_;
}

bool release_policy::heap_fell(std::uint64_t heap_in_use) const {
  return since(heap_peak_, heap_in_use) >= after_bytes_ &&
         heap_in_use * k_fallen_denominator <= heap_peak_ * k_fallen_numerator;
}

}  // namespace parley::app
